#include "sink/history_query.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "sink/history_schema.hpp"

namespace regpoll::sink {
namespace {

Database open_for_reading(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw HistoryOpenError(path + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw HistoryOpenError(path + ": is a directory");
    try {
        Database db(path, Database::Mode::read_only);
        db.exec("PRAGMA busy_timeout = 5000");
        if (auto why = check_history_schema(db)) throw HistoryOpenError(path + ": " + *why);
        return db;
    } catch (const SqliteError& e) {
        if (e.code() == SQLITE_NOTADB) throw HistoryOpenError(path + ": not an SQLite database");
        throw HistoryOpenError(e.what());
    }
}

// "(device GLOB ?3 OR device GLOB ?4)" for the patterns, numbering parameters from `next`.
std::string any_of(const char* column, std::size_t count, int& next) {
    std::string sql = "(";
    for (std::size_t i = 0; i < count; ++i) {
        sql += (i ? " OR " : "") + std::string(column) + " GLOB ?" + std::to_string(next++);
    }
    return sql + ")";
}

}  // namespace

HistoryReader::HistoryReader(const std::string& path) : db_(open_for_reading(path)) {}

std::size_t HistoryReader::read(const HistorySelection& selection,
                                const std::function<void(const HistoryRow&)>& on_row) {
    // The stable view is the interface users have too; SQLite flattens it, so this still
    // walks devices -> points -> samples by primary key.
    std::string sql =
        "SELECT ts, device, point, value, text, unit FROM history WHERE ts >= ?1 AND ts < ?2";
    int next = 3;
    if (!selection.devices.empty())
        sql += " AND " + any_of("device", selection.devices.size(), next);
    if (!selection.points.empty()) sql += " AND " + any_of("point", selection.points.size(), next);
    sql += " ORDER BY ts, device, point";
    Statement s = db_.prepare(sql);
    s.bind(1, selection.since_ms.value_or(INT64_MIN))
        .bind(2, selection.until_ms.value_or(INT64_MAX));
    next = 3;
    for (const auto& d : selection.devices) s.bind(next++, d);
    for (const auto& p : selection.points) s.bind(next++, p);
    std::size_t count = 0;
    HistoryRow row;
    while (s.step()) {
        row.ts = s.int64(0);
        row.device = s.text(1);
        row.point = s.text(2);
        switch (s.column_type(3)) {
            case SQLITE_INTEGER:
                row.type = HistoryRow::Type::integer;
                row.integer = s.int64(3);
                break;
            case SQLITE_FLOAT:
                row.type = HistoryRow::Type::real;
                row.real = s.real(3);
                break;
            default:
                row.type = HistoryRow::Type::null;
                break;
        }
        row.text = s.is_null(4) ? std::nullopt : std::optional(s.text(4));
        row.unit = s.text(5);
        on_row(row);
        ++count;
    }
    return count;
}

}  // namespace regpoll::sink
