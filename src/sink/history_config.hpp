#pragma once
// The "history" section of a site configuration: where the SQLite history lives, how long
// rows are kept, how often they are committed, and which samples of which points are stored
// (deadband, store-on-change, heartbeat). Parsed once at start; nothing is decided at poll time.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "profile/json_reader.hpp"

namespace regpoll::sink {

using Milliseconds = std::chrono::milliseconds;

// What to store of the points a rule matches. The first rule (in file order) whose device
// and point patterns match a point decides for it; a point no rule matches stores every sample.
struct HistoryRule {
    std::string device = "*";  // glob (fnmatch: *, ?, [..]) on the device name
    std::string point = "*";   // glob on the point name
    bool store = true;         // false: the point is never stored
    // Store a numeric sample only when it differs from the last stored value by more than
    // this (absolute, in the point's unit). Other values are stored when they change.
    std::optional<double> deadband;
    bool on_change = false;  // store only changed values (same as a deadband of 0)
    // With a deadband or on_change: store an unchanged value anyway once this long has
    // passed since the last stored row (sample timestamps, not the wall clock).
    std::optional<Milliseconds> heartbeat;
    std::string json_path;  // where it was written, for messages

    bool filters() const { return deadband.has_value() || on_change; }
};

enum class Synchronous { normal, full };

struct HistoryConfig {
    std::string path;                   // the database file, resolved against the config's folder
    Milliseconds retention{0};          // raw rows older than this are deleted; 0 = forever
    Milliseconds flush_interval{1000};  // one transaction per interval
    bool rollups = false;               // per-minute min/avg/max/count in rollups_1m
    Milliseconds rollup_retention{0};   // 0 = forever
    Synchronous synchronous = Synchronous::normal;
    std::size_t queue_warning = 1'000'000;  // queued samples that make the writer warn
    // Rows held in memory while commits fail (a full or read-only disk); past it the oldest
    // are dropped, counted. ~24 bytes a row plus text.
    std::size_t max_queue = 2'000'000;
    std::vector<HistoryRule> rules;

    // The first rule matching device/point, or null when every sample is stored.
    const HistoryRule* rule_for(const std::string& device, const std::string& point) const;
};

// The default database path for a configuration file: config/site.json -> config/site.db.
std::string default_history_path(const std::string& config_path);

// Parses `section` (the value of "history") of the configuration file `config_path`.
// Errors and warnings name the file and the JSON path (/history/...). nullopt on errors.
std::optional<HistoryConfig> parse_history_config(const profile::Json& section,
                                                  const std::string& config_path,
                                                  profile::Diagnostics& diag);

// "retention": "30d" | "forever" (0 means forever too) under `key`; absent: forever.
// nullopt (an error reported) when it is neither.
std::optional<Milliseconds> parse_retention(profile::JsonReader& r, const std::string& key);

// Warns about rules that match no point of the given devices (a typo keeps a rule from ever
// applying). `points_of` lists device name -> point names.
struct DevicePoints {
    std::string device;
    std::vector<std::string> points;
};
void warn_unused_rules(const HistoryConfig& config, const std::vector<DevicePoints>& devices,
                       const std::string& config_path, profile::Diagnostics& diag);

}  // namespace regpoll::sink
