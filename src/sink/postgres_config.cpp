#include "sink/postgres_config.hpp"

#include <cstdlib>
#include <filesystem>

#include "common/env_dirs.hpp"
#include "sink/history_config.hpp"

namespace regpoll::sink {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::shown;

// Exactly one of conninfo_file and conninfo_env; a secret written into the site file is
// refused with where to put it instead.
void parse_conninfo(JsonReader& r, PostgresConfig& c) {
    for (const char* key : {"conninfo", "password"}) {
        if (!r.has(key)) continue;
        r.get(key);  // said here, not again as an unknown key
        r.error(
            key,
            "put the connection string (with its password) in a file (\"conninfo_file\") or the "
            "environment (\"conninfo_env\"), not in the configuration");
    }
    const bool file = r.has("conninfo_file");
    const bool env = r.has("conninfo_env");
    if (file == env) {
        r.error_here(file ? "give \"conninfo_file\" or \"conninfo_env\", not both"
                          : "expected \"conninfo_file\" or \"conninfo_env\" (where the libpq "
                            "connection string is)");
        return;
    }
    if (auto f = r.string("conninfo_file")) {
        c.conninfo = profile::read_secret_file(*f, r, "conninfo_file");
        c.conninfo_source = "file " + *f;
    }
    if (auto e = r.string("conninfo_env")) {
        const char* value = std::getenv(e->c_str());
        if (!value || !*value)
            r.error("conninfo_env", "the environment variable " + *e + " is not set");
        else
            c.conninfo = value;
        c.conninfo_source = "$" + *e;
    }
}

void parse_outbox(JsonReader& r, PostgresConfig& c) {
    const Json* outbox = r.get("outbox");
    if (!outbox) return;
    JsonReader orr(*outbox, r.file(), r.child_path("outbox"), r.diag());
    if (!orr.is_object()) return;
    if (auto p = orr.string("path")) {
        if (p->empty())
            orr.error("path", "the outbox path is empty");
        else
            c.outbox_path = state_file(r.file(), *p);
    }
    if (auto m = orr.integer("max_samples", 1000, 1'000'000'000))
        c.outbox_max_samples = static_cast<std::size_t>(*m);
    orr.reject_unknown("path, max_samples");
}

}  // namespace

std::string default_pg_outbox_path(const std::string& config_path) {
    return state_file(config_path,
                      std::filesystem::path(config_path).stem().string() + ".pg-outbox.db");
}

std::optional<PostgresConfig> parse_postgres_config(const profile::Json& section,
                                                    const std::string& config_path,
                                                    profile::Diagnostics& diag) {
    JsonReader r(section, config_path, "/postgres", diag);
    if (!r.is_object()) return std::nullopt;
    const std::size_t errors_before = diag.errors().size();
    PostgresConfig c;
    c.outbox_path = default_pg_outbox_path(config_path);
    parse_conninfo(r, c);
    if (auto f = r.duration("flush_interval")) {
        if (f->count() < 10 || *f > std::chrono::minutes(10))
            r.error("flush_interval", "expected a flush interval from 10ms to 10m, found " +
                                          shown(*r.get("flush_interval")));
        c.flush_interval = *f;
    }
    if (auto b = r.integer("max_batch", 100, 10'000'000))
        c.max_batch = static_cast<std::size_t>(*b);
    if (auto d = parse_retention(r, "retention")) {
        if (d->count() > 0 && *d < std::chrono::hours(24))
            r.error("retention",
                    "rows are dropped a day partition at a time: expected at least \"1d\", found " +
                        shown(*r.get("retention")));
        c.retention = *d;
    }
    parse_outbox(r, c);
    r.reject_unknown("conninfo_file, conninfo_env, flush_interval, max_batch, retention, outbox");
    if (diag.errors().size() != errors_before) return std::nullopt;
    return c;
}

}  // namespace regpoll::sink
