#pragma once
// The "postgres" section of a site configuration: how to reach the central PostgreSQL
// database (the connection string comes from a file or the environment, never from the site
// file), how often samples are sent, the local outbox that holds them while the database is
// away, and how long rows are kept.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "profile/json_reader.hpp"

namespace regpoll::sink {

struct PostgresConfig {
    // libpq connection string or URI ("host=db dbname=regpoll user=poller password=…" or
    // "postgresql://…"), read from conninfo_file or the variable conninfo_env at load time.
    std::string conninfo;
    std::string conninfo_source;  // "file /etc/regpoll/pg" or "$REGPOLL_PG", for messages
    std::chrono::milliseconds flush_interval{1000};  // one COPY per interval
    std::size_t max_batch = 50'000;                  // send early when this many samples wait
    std::chrono::milliseconds retention{
        0};                   // day partitions older than this are dropped; 0 = forever
    std::string outbox_path;  // SQLite file for samples waiting on the database
    std::size_t outbox_max_samples = 5'000'000;  // past it the oldest go, counted
};

// The default outbox for a configuration file: config/site.json -> config/site.pg-outbox.db.
std::string default_pg_outbox_path(const std::string& config_path);

// Parses `section` (the value of "postgres") of `config_path`. Errors name the file and the
// JSON path (/postgres/...). nullopt on errors.
std::optional<PostgresConfig> parse_postgres_config(const profile::Json& section,
                                                    const std::string& config_path,
                                                    profile::Diagnostics& diag);

}  // namespace regpoll::sink
