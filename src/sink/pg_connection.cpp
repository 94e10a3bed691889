#include "sink/pg_connection.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace regpoll::sink {

namespace {

// libpq is opened when the first connection is made, not linked: with it come GnuTLS,
// Kerberos and LDAP, about 3 MB resident and GnuTLS's start-up work in every regpoll,
// PostgreSQL or not. The functions are typed by libpq's own header.
#define REGPOLL_LIBPQ_FUNCTIONS(X)                                                             \
    X(PQclear) X(PQconnectdbParams) X(PQerrorMessage) X(PQexec) X(PQexecParams) X(PQfinish)    \
    X(PQgetisnull) X(PQgetlength) X(PQgetResult) X(PQgetvalue) X(PQntuples) X(PQputCopyData)   \
    X(PQputCopyEnd) X(PQresultStatus) X(PQsendQueryParams) X(PQsetNoticeProcessor)             \
    X(PQsetSingleRowMode) X(PQstatus)

struct Libpq {
#define REGPOLL_LIBPQ_FIELD(name) decltype(&::name) name = nullptr;
    REGPOLL_LIBPQ_FUNCTIONS(REGPOLL_LIBPQ_FIELD)
#undef REGPOLL_LIBPQ_FIELD
};

std::mutex libpq_mutex;
Libpq loaded_libpq;        // written once, under libpq_mutex, before the first connection
bool libpq_ready = false;  // under libpq_mutex

// The functions, for a connection that exists (its constructor loaded them).
const Libpq& pq() {
    return loaded_libpq;
}

}  // namespace

std::string load_libpq(const char* soname) {
    std::lock_guard lock(libpq_mutex);
    if (libpq_ready) return "";
    void* library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char* why = ::dlerror();
        return std::string("PostgreSQL: cannot load ") + soname +
               " (libpq; on Debian the package libpq5): " + (why ? why : "unknown reason");
    }
    Libpq table;
    const char* missing = nullptr;
#define REGPOLL_LIBPQ_LOOKUP(name)                                             \
    table.name = reinterpret_cast<decltype(&::name)>(::dlsym(library, #name)); \
    if (!table.name && !missing) missing = #name;
    REGPOLL_LIBPQ_FUNCTIONS(REGPOLL_LIBPQ_LOOKUP)
#undef REGPOLL_LIBPQ_LOOKUP
    if (missing) {
        ::dlclose(library);
        return std::string("PostgreSQL: ") + soname + " has no " + missing + " (libpq too old?)";
    }
    // Never closed: libpq keeps state (OpenSSL, GSSAPI) until the process ends.
    loaded_libpq = table;
    libpq_ready = true;
    return "";
}

namespace {

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...");
// one line reads better in the log and the status file.
std::string one_line(const char* text) {
    std::string out;
    for (const char* c = text; *c; ++c) {
        if (*c == '\n' || *c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += *c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

bool succeeded(const PGresult* r) {
    const auto status = pq().PQresultStatus(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

void PgResult::Free::operator()(pg_result* r) const {
    pq().PQclear(r);
}

int PgResult::rows() const {
    return pq().PQntuples(r_.get());
}

bool PgResult::is_null(int row, int column) const {
    return pq().PQgetisnull(r_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
    return {pq().PQgetvalue(r_.get(), row, column),
            static_cast<std::size_t>(pq().PQgetlength(r_.get(), row, column))};
}

bool PgResult::ok() const {
    return succeeded(r_.get());
}

long long PgResult::integer(int row, int column) const {
    return std::strtoll(pq().PQgetvalue(r_.get(), row, column), nullptr, 10);
}

namespace {

// libpq waits for an unreachable host as long as TCP does (minutes) unless told otherwise;
// a connection string's own connect_timeout comes later and wins.
pg_conn* connect_with_timeout(const std::string& conninfo) {
    const char* keywords[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"10", conninfo.c_str(), nullptr};
    return pq().PQconnectdbParams(keywords, values, 1);
}

}  // namespace

PgConnection::PgConnection(const std::string& conninfo) {
    // A libpq that cannot be loaded is reported as a connection that failed: the sink keeps
    // its rows in the outbox and tries again, and finds a libpq installed meanwhile.
    if (auto error = load_libpq(libpq_soname); !error.empty()) throw PgError(error, true);
    conn_ = connect_with_timeout(conninfo);
    if (!conn_) throw PgError("out of memory connecting to PostgreSQL", true);
    if (pq().PQstatus(conn_) != CONNECTION_OK) {
        std::string message = one_line(pq().PQerrorMessage(conn_));
        pq().PQfinish(conn_);
        conn_ = nullptr;
        throw PgError(message, true);
    }
    // Notices (CREATE ... IF NOT EXISTS "already exists, skipping") are not news.
    pq().PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

PgConnection::~PgConnection() {
    pq().PQfinish(conn_);
}

bool PgConnection::ok() const {
    return conn_ && pq().PQstatus(conn_) == CONNECTION_OK;
}

void PgConnection::fail(const std::string& what) const {
    const std::string message = one_line(pq().PQerrorMessage(conn_));
    throw PgError(what + ": " + message, pq().PQstatus(conn_) != CONNECTION_OK);
}

void PgConnection::exec(const std::string& sql) {
    PgResult r(pq().PQexec(conn_, sql.c_str()));
    if (!r.ok()) fail("PostgreSQL");
}

PgResult PgConnection::query(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    PgResult r(pq().PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
    if (!r.ok()) fail("PostgreSQL");
    return r;
}

std::size_t PgConnection::query_rows(const std::string& sql, const std::vector<std::string>& params,
                                     const std::function<void(const PgResult&)>& on_row) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    if (!pq().PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                           values.data(), nullptr, nullptr, 0) ||
        !pq().PQsetSingleRowMode(conn_))
        fail("PostgreSQL");
    std::size_t rows = 0;
    bool failed = false;
    while (PGresult* r = pq().PQgetResult(conn_)) {
        PgResult result(r);
        if (pq().PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
            on_row(result);
            ++rows;
        } else if (!result.ok()) {
            failed = true;  // read on: libpq wants every result taken
        }
    }
    if (failed) fail("PostgreSQL");
    return rows;
}

void PgConnection::copy_in(const std::string& target, std::string_view data) {
    {
        PgResult start(pq().PQexec(conn_, ("COPY " + target + " FROM STDIN").c_str()));
        if (pq().PQresultStatus(start.get()) != PGRES_COPY_IN) fail("COPY " + target);
    }
    // libpq buffers and sends in its own chunks; big pieces keep the calls few.
    constexpr std::size_t piece = 1 << 20;
    for (std::size_t at = 0; at < data.size(); at += piece) {
        const auto n = std::min(piece, data.size() - at);
        if (pq().PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1)
            fail("COPY " + target);
    }
    if (pq().PQputCopyEnd(conn_, nullptr) != 1) fail("COPY " + target);
    bool failed = false;
    while (PGresult* r = pq().PQgetResult(conn_)) {
        PgResult end(r);
        failed = failed || !end.ok();
    }
    if (failed) fail("COPY " + target);
}

void append_copy_text(std::string& out, std::string_view s) {
    for (const char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
}

std::string pg_literal(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

}  // namespace regpoll::sink
