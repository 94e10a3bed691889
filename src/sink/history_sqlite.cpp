#include "sink/history_sqlite.hpp"

#include <sqlite3.h>

namespace regpoll::sink {
namespace {

// "<file>: <SQLite's message>", and what was being done when that is not the obvious
// (preparing a statement).
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
    std::string message;
    if (const char* file = db ? sqlite3_db_filename(db, "main") : nullptr; file && *file) {
        message = std::string(file) + ": ";
    }
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (!context.empty()) message += " (" + std::string(context) + ")";
    throw SqliteError(rc & 0xff, message);
}

void check(sqlite3* db, int rc, std::string_view context) {
    if (rc != SQLITE_OK) fail(db, rc, context);
}

}  // namespace

void Statement::Finalize::operator()(sqlite3_stmt* s) const {
    sqlite3_finalize(s);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* stmt = nullptr;
    check(db,
          sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr),
          "preparing \"" + std::string(sql.substr(0, 60)) + "\"");
    stmt_.reset(stmt);
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(db_, sqlite3_bind_int64(stmt_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check(db_, sqlite3_bind_double(stmt_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    check(db_,
          sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check(db_, sqlite3_bind_null(stmt_.get(), index), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_.get());  // leaves the statement usable for a retry
    fail(db_, rc, "");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}
int Statement::column_type(int column) const {
    return sqlite3_column_type(stmt_.get(), column);
}
std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_.get(), column);
}
double Statement::real(int column) const {
    return sqlite3_column_double(stmt_.get(), column);
}

std::string_view Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))};
}

void Database::Close::operator()(sqlite3* db) const {
    // The last connection to close checkpoints the WAL into the database and removes it.
    sqlite3_close_v2(db);
}

Database::Database(const std::string& path, Mode mode) : path_(path) {
    const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) {
        throw SqliteError(rc & 0xff, path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(db, 0);
}

void Database::exec(std::string_view sql) {
    char* error = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = path_ + ": " + (error ? error : sqlite3_errstr(rc));
        sqlite3_free(error);
        throw SqliteError(rc & 0xff, message);
    }
}

std::int64_t Database::query_int(std::string_view sql) {
    Statement s = prepare(sql);
    return s.step() ? s.int64(0) : 0;
}

std::string Database::query_text(std::string_view sql) {
    Statement s = prepare(sql);
    return s.step() ? std::string(s.text(0)) : std::string();
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(db_.get());
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        db_.exec("ROLLBACK");
    } catch (const SqliteError&) {
        // SQLite may already have rolled back (after SQLITE_FULL, SQLITE_IOERR...).
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace regpoll::sink
