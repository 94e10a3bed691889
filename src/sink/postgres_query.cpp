#include "sink/postgres_query.hpp"

#include <cstdlib>
#include <cstring>

#include "sink/pg_connection.hpp"
#include "sink/postgres_schema.hpp"

namespace regpoll::sink {
namespace {

// A glob (*, ?, [..], as SQLite's GLOB) as a POSIX regular expression for `~`.
std::string glob_regex(const std::string& glob) {
    std::string re = "^";
    for (std::size_t i = 0; i < glob.size(); ++i) {
        const char c = glob[i];
        if (c == '*')
            re += ".*";
        else if (c == '?')
            re += '.';
        else if (c == '[') {
            const auto end = glob.find(']', i + 2);
            if (end == std::string::npos) {
                re += "\\[";
                continue;
            }
            re += '[' + glob.substr(i + 1, end - i - 1) + ']';  // [^..] negates in both
            i = end;
        } else if (std::strchr(".^$+(){}|\\", c)) {
            re += '\\';
            re += c;
        } else {
            re += c;
        }
    }
    return re + "$";
}

std::string any_of(const char* column, const std::vector<std::string>& globs,
                   std::vector<std::string>& params) {
    std::string sql = "(";
    for (std::size_t i = 0; i < globs.size(); ++i) {
        params.push_back(glob_regex(globs[i]));
        sql += (i ? " OR " : "") + std::string(column) + " ~ $" + std::to_string(params.size());
    }
    return sql + ")";
}

}  // namespace

PgHistoryReader::PgHistoryReader(const std::string& conninfo) {
    try {
        db_ = std::make_unique<PgConnection>(conninfo);
        const int version = pg_schema_version_of(*db_);
        if (version == 0)
            throw HistoryOpenError(
                "PostgreSQL: no regpoll history in this database (no schema_version)");
        if (version > pg_schema_version)
            throw HistoryOpenError("PostgreSQL: written by a newer regpoll (schema version " +
                                   std::to_string(version) + ")");
    } catch (const PgError& e) {
        throw HistoryOpenError(std::string("PostgreSQL: ") + e.what());
    }
}

PgHistoryReader::~PgHistoryReader() = default;

std::size_t PgHistoryReader::read(const HistorySelection& selection,
                                  const std::function<void(const HistoryRow&)>& on_row) {
    // The tables rather than the view: is_integer tells integers from reals, as SQLite's
    // column types do.
    std::vector<std::string> params;
    std::string sql =
        "SELECT (extract(epoch FROM s.ts) * 1000)::bigint, d.name, p.name, s.value, s.text, "
        "p.unit, s.is_integer "
        "FROM samples s JOIN points p ON p.id = s.point_id JOIN devices d ON d.id = p.device_id "
        "WHERE true";
    if (selection.since_ms) {
        params.push_back(std::to_string(*selection.since_ms));
        sql += " AND s.ts >= to_timestamp($" + std::to_string(params.size()) +
               "::double precision / 1000)";
    }
    if (selection.until_ms) {
        params.push_back(std::to_string(*selection.until_ms));
        sql += " AND s.ts < to_timestamp($" + std::to_string(params.size()) +
               "::double precision / 1000)";
    }
    if (!selection.devices.empty()) sql += " AND " + any_of("d.name", selection.devices, params);
    if (!selection.points.empty()) sql += " AND " + any_of("p.name", selection.points, params);
    // COLLATE "C": byte order, as SQLite sorts text.
    sql += " ORDER BY s.ts, d.name COLLATE \"C\", p.name COLLATE \"C\"";
    HistoryRow row;
    return db_->query_rows(sql, params, [&](const PgResult& r) {
        row.ts = r.integer(0, 0);
        row.device = r.text(0, 1);
        row.point = r.text(0, 2);
        if (r.is_null(0, 3)) {
            row.type = HistoryRow::Type::null;
        } else {
            // The server writes doubles shortest-exact ("1e+06"): read as a double in any case.
            const double v = std::strtod(std::string(r.text(0, 3)).c_str(), nullptr);
            row.type = r.text(0, 6) == "t" ? HistoryRow::Type::integer : HistoryRow::Type::real;
            row.integer = static_cast<std::int64_t>(v);
            row.real = v;
        }
        row.text = r.is_null(0, 4) ? std::nullopt : std::optional(r.text(0, 4));
        row.unit = r.text(0, 5);
        on_row(row);
    });
}

}  // namespace regpoll::sink
