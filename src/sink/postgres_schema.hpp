#pragma once
// The PostgreSQL schema: created and migrated at start, one step per version, recorded in
// schema_version. Samples live in one table split by day: a TimescaleDB hypertable (chunks
// of a day) when the server offers the timescaledb extension, else native range partitions
// that the writer creates as days come. Retention drops whole days.
#include <cstdint>
#include <string>
#include <vector>

#include "sink/pg_connection.hpp"

namespace regpoll::sink {

// The version this regpoll writes and reads.
inline constexpr int pg_schema_version = 2;

enum class PgStorage { partitions, hypertable };

// Brings the database to `target` (at most pg_schema_version), under an advisory lock so
// that pollers starting together migrate once. Returns how samples are stored. Throws
// PgError when the database is newer than this regpoll or not ours.
PgStorage prepare_pg_schema(PgConnection& db, int target = pg_schema_version);
// The version recorded in the database; 0 when it has no regpoll schema.
int pg_schema_version_of(PgConnection& db);
PgStorage pg_storage_of(PgConnection& db);

// Unix day number (days since 1970-01-01 UTC) of a time in Unix ms.
std::int64_t unix_day(std::int64_t unix_ms);
// Creates the partition of each day in `days` that does not exist yet (partitions only).
void create_day_partitions(PgConnection& db, const std::vector<std::int64_t>& days);
// Drops the days (partitions or chunks) that end at or before `cutoff_ms`; returns how many
// partitions went (chunks: how many drop_chunks reported).
std::size_t drop_days_before(PgConnection& db, PgStorage storage, std::int64_t cutoff_ms);

}  // namespace regpoll::sink
