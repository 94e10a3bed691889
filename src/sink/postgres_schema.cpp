#include "sink/postgres_schema.hpp"

#include <chrono>
#include <cstdio>

namespace regpoll::sink {
namespace {

// Version 1. Everything regpoll needs besides the samples' storage. devices and points are
// the dimension tables (a sample names its point by id); `history` is the view users and
// Grafana read, with the columns of the SQLite history's view. value is NULL for strings,
// non-finite numbers (in text: 'nan', 'inf', '-inf') and unavailable samples (both NULL);
// is_integer marks values the device gave as integers or booleans (0/1), so that readers
// print them as integers.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE devices (
  id   serial PRIMARY KEY,
  name text NOT NULL UNIQUE
);
CREATE TABLE points (
  id        serial PRIMARY KEY,
  device_id integer NOT NULL REFERENCES devices(id),
  name      text NOT NULL,
  unit      text NOT NULL DEFAULT '',
  UNIQUE (device_id, name)
);
CREATE TABLE samples (
  ts         timestamptz NOT NULL,
  point_id   integer NOT NULL,
  value      double precision,
  text       text,
  is_integer boolean NOT NULL DEFAULT false
)%s;
%s
CREATE INDEX samples_point_ts ON samples (point_id, ts);
CREATE VIEW history (ts, device, point, value, text, unit) AS
  SELECT s.ts, d.name, p.name, s.value, s.text, p.unit
  FROM samples s JOIN points p ON p.id = s.point_id JOIN devices d ON d.id = p.device_id;
)sql";

std::string v1(PgStorage storage) {
    const bool hyper = storage == PgStorage::hypertable;
    const std::string split = hyper ? "" : " PARTITION BY RANGE (ts)";
    const std::string make_hypertable =
        hyper
            ? "SELECT create_hypertable('samples', 'ts', chunk_time_interval => interval '1 day');"
            : "";
    std::string sql(schema_v1);
    sql.replace(sql.find("%s"), 2, split);
    sql.replace(sql.find("%s"), 2, make_hypertable);
    return sql;
}

// Version 2: two views for dashboards. history_1m has the columns of the SQLite history's
// view of the same name (one row per point and minute with numbers: min, avg, max, count),
// computed from samples when read, since PostgreSQL keeps every sample; latest is each
// point's newest sample, found through the (point_id, ts) index.
std::string v2(PgStorage) {
    return R"sql(
CREATE VIEW history_1m (ts, device, point, min, avg, max, count, unit) AS
  SELECT date_trunc('minute', s.ts), d.name, p.name, min(s.value), avg(s.value), max(s.value),
         count(s.value), p.unit
  FROM samples s JOIN points p ON p.id = s.point_id JOIN devices d ON d.id = p.device_id
  WHERE s.value IS NOT NULL
  GROUP BY 1, d.name, p.name, p.unit;
CREATE VIEW latest (ts, device, point, value, text, unit) AS
  SELECT l.ts, d.name, p.name, l.value, l.text, p.unit
  FROM points p JOIN devices d ON d.id = p.device_id
  CROSS JOIN LATERAL (SELECT s.ts, s.value, s.text FROM samples s WHERE s.point_id = p.id
                      ORDER BY s.ts DESC LIMIT 1) l;
)sql";
}

// steps[v] takes a database from version v to v + 1.
using Step = std::string (*)(PgStorage);
const std::vector<Step>& steps() {
    static const std::vector<Step> list{v1, v2};
    return list;
}

bool table_exists(PgConnection& db, const char* name) {
    return db.query("SELECT to_regclass($1) IS NOT NULL", {name}).text(0, 0) == "t";
}

PgStorage choose_storage(PgConnection& db) {
    const auto r =
        db.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'");
    if (r.integer(0, 0) == 0) return PgStorage::partitions;
    db.exec("CREATE EXTENSION IF NOT EXISTS timescaledb");
    return PgStorage::hypertable;
}

const char* storage_name(PgStorage s) {
    return s == PgStorage::hypertable ? "hypertable" : "partitions";
}

std::string day_text(std::int64_t day) {
    using namespace std::chrono;
    const year_month_day d{sys_days{days{day}}};
    char out[16];
    std::snprintf(out, sizeof out, "%04d%02u%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return out;
}

std::string day_iso(std::int64_t day) {
    const auto t = day_text(day);
    return t.substr(0, 4) + "-" + t.substr(4, 2) + "-" + t.substr(6, 2);
}

}  // namespace

int pg_schema_version_of(PgConnection& db) {
    if (!table_exists(db, "schema_version")) return 0;
    const auto r = db.query("SELECT coalesce(max(version), 0) FROM schema_version");
    return static_cast<int>(r.integer(0, 0));
}

PgStorage pg_storage_of(PgConnection& db) {
    const auto r = db.query("SELECT storage FROM schema_version ORDER BY version LIMIT 1");
    return r.rows() > 0 && r.text(0, 0) == "hypertable" ? PgStorage::hypertable
                                                        : PgStorage::partitions;
}

PgStorage prepare_pg_schema(PgConnection& db, int target) {
    db.exec("BEGIN");
    try {
        db.exec("SELECT pg_advisory_xact_lock(hashtext('regpoll schema'))");
        if (!table_exists(db, "schema_version")) {
            if (table_exists(db, "samples"))
                throw PgError(
                    "the database has a \"samples\" table that regpoll did not make (no "
                    "schema_version)",
                    false);
            db.exec(
                "CREATE TABLE schema_version (version integer PRIMARY KEY, storage text NOT NULL, "
                "migrated_at timestamptz NOT NULL DEFAULT now())");
        }
        int version = pg_schema_version_of(db);
        if (version > pg_schema_version) {
            throw PgError("written by a newer regpoll (schema version " + std::to_string(version) +
                              "; this regpoll knows up to " + std::to_string(pg_schema_version) +
                              ")",
                          false);
        }
        const PgStorage storage = version == 0 ? choose_storage(db) : pg_storage_of(db);
        for (; version < target; ++version) {
            db.exec(steps()[static_cast<std::size_t>(version)](storage));
            db.query("INSERT INTO schema_version (version, storage) VALUES ($1, $2)",
                     {std::to_string(version + 1), storage_name(storage)});
        }
        db.exec("COMMIT");
        return storage;
    } catch (...) {
        if (db.ok()) db.exec("ROLLBACK");
        throw;
    }
}

std::int64_t unix_day(std::int64_t unix_ms) {
    constexpr std::int64_t ms_per_day = 86'400'000;
    return unix_ms >= 0 ? unix_ms / ms_per_day : (unix_ms - ms_per_day + 1) / ms_per_day;
}

void create_day_partitions(PgConnection& db, const std::vector<std::int64_t>& days) {
    for (const auto day : days) {
        db.exec("CREATE TABLE IF NOT EXISTS samples_" + day_text(day) +
                " PARTITION OF samples FOR VALUES FROM ('" + day_iso(day) + " 00:00:00+00') TO ('" +
                day_iso(day + 1) + " 00:00:00+00')");
    }
}

std::size_t drop_days_before(PgConnection& db, PgStorage storage, std::int64_t cutoff_ms) {
    if (storage == PgStorage::hypertable) {
        const auto r = db.query(
            "SELECT count(*) FROM drop_chunks('samples', older_than => to_timestamp($1::double "
            "precision / 1000))",
            {std::to_string(cutoff_ms)});
        return static_cast<std::size_t>(r.integer(0, 0));
    }
    const auto r = db.query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'samples'::regclass AND c.relname ~ '^samples_[0-9]{8}$' ORDER BY "
        "c.relname");
    const std::string last_dropped =
        "samples_" + day_text(unix_day(cutoff_ms) - 1);  // ends at or before cutoff
    std::vector<std::string> names;
    for (int i = 0; i < r.rows(); ++i) {
        std::string name(r.text(i, 0));
        if (name <= last_dropped) names.push_back(std::move(name));
    }
    for (const auto& name : names) db.exec("DROP TABLE " + name);
    return names.size();
}

}  // namespace regpoll::sink
