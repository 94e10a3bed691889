#include "sink/history_schema.hpp"

#include <array>

namespace regpoll::sink {
namespace {

// Version 1. Times are Unix milliseconds (UTC) everywhere. Users and Grafana read the views;
// the tables may change between versions, the views keep their columns.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE devices (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE points (
  id        INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  name      TEXT NOT NULL,
  unit      TEXT NOT NULL DEFAULT '',
  UNIQUE (device_id, name)
);
-- One row per stored sample, clustered by point and time. value has no declared type so
-- integers stay exact 64-bit integers (booleans 0/1) and reals stay reals. Strings and
-- non-finite numbers ('nan', 'inf', '-inf') are in text with a NULL value; a sample the
-- device reported as not available has both NULL. (point_id, ts) is the key: a second
-- sample of a point in the same millisecond replaces the first.
CREATE TABLE samples (
  point_id INTEGER NOT NULL REFERENCES points(id),
  ts       INTEGER NOT NULL,
  value,
  text     TEXT,
  PRIMARY KEY (point_id, ts)
) WITHOUT ROWID;
-- Per-minute summaries of every numeric sample polled (also those a deadband did not
-- store), written in the same transaction as the samples.
CREATE TABLE rollups_1m (
  point_id  INTEGER NOT NULL REFERENCES points(id),
  minute_ts INTEGER NOT NULL,
  min       REAL NOT NULL,
  avg       REAL NOT NULL,
  max       REAL NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (point_id, minute_ts)
) WITHOUT ROWID;
-- CROSS JOIN fixes the loop order devices -> points -> rows: a time range then costs one
-- primary-key range per point instead of a scan of every row.
CREATE VIEW history (ts, device, point, value, text, unit) AS
  SELECT s.ts, d.name, p.name, s.value, s.text, p.unit
  FROM devices d CROSS JOIN points p ON p.device_id = d.id CROSS JOIN samples s ON s.point_id = p.id;
CREATE VIEW history_1m (ts, device, point, min, avg, max, count, unit) AS
  SELECT r.minute_ts, d.name, p.name, r.min, r.avg, r.max, r.count, p.unit
  FROM devices d CROSS JOIN points p ON p.device_id = d.id CROSS JOIN rollups_1m r ON r.point_id = p.id;
)sql";

// migrations[v] takes a database from version v to v + 1.
constexpr std::array<const char*, history_schema_version> migrations{schema_v1};

std::optional<std::string> refusal(Database& db) {
    const auto app = db.query_int("PRAGMA application_id");
    const auto version = db.query_int("PRAGMA user_version");
    if (app != 0 && app != history_application_id) {
        return "not a regpoll history database (PRAGMA application_id is " + std::to_string(app) +
               ")";
    }
    if (app == 0 && db.query_int("SELECT count(*) FROM sqlite_master") > 0) {
        return "not a regpoll history database (it has tables of its own)";
    }
    if (version > history_schema_version) {
        return "written by a newer regpoll (schema version " + std::to_string(version) +
               "; this regpoll knows up to " + std::to_string(history_schema_version) + ")";
    }
    return std::nullopt;
}

}  // namespace

void prepare_history_schema(Database& db) {
    Transaction transaction(
        db);  // re-checked under the write lock: another process may be creating it
    if (auto why = refusal(db)) throw HistorySchemaError(db.path() + ": " + *why);
    auto version = db.query_int("PRAGMA user_version");
    if (version == history_schema_version) return;
    for (; version < history_schema_version; ++version)
        db.exec(migrations[static_cast<std::size_t>(version)]);
    db.exec("PRAGMA application_id = " + std::to_string(history_application_id));
    db.exec("PRAGMA user_version = " + std::to_string(history_schema_version));
    transaction.commit();
}

std::optional<std::string> check_history_schema(Database& db) {
    if (auto why = refusal(db)) return why;
    if (db.query_int("PRAGMA user_version") == 0)
        return "not a regpoll history database (it is empty)";
    return std::nullopt;
}

const char* history_schema_sql() {
    return schema_v1;
}

}  // namespace regpoll::sink
