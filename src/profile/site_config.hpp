#pragma once
// The site configuration (config/*.json): buses, devices and poller settings, loaded,
// validated and resolved against the profile library. Every mistake is reported with its
// file and JSON path; nothing starts unless there are none.
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "profile/json_reader.hpp"
#include "profile/point.hpp"
#include "profile/profile_loader.hpp"
#include "profile/shard.hpp"
#include "transport/uri.hpp"

namespace regpoll::profile {

struct BusConfig {
    std::string name;
    transport::Uri uri;
    Milliseconds timeout{1000};
    std::size_t max_in_flight = 1;
    // shine+listen:// only (Growatt dataloggers dial in and push records).
    bool drop_unknown_loggers = false;  // "unknown_loggers": "ack" (default) or "drop"
    // "timezone" of the loggers' clocks: empty = the host's local time, else a fixed offset
    // from UTC in minutes ("UTC", "+01:00", "-05:30").
    std::optional<int> utc_offset_minutes;
    // "relay": "host:port": every stick connection is copied to this Growatt server (the cloud).
    struct ShineRelay {
        std::string host;
        std::uint16_t port = 5279;
        bool allow_commands = false;  // "relay_commands": "block" (default) or "allow"
    };
    std::optional<ShineRelay> relay;

    bool is_shine() const { return uri.scheme == "shine+listen"; }
};

// A device behind a Growatt Shine datalogger (on a shine+listen:// bus).
struct ShineDeviceConfig {
    std::string datalogger;  // the logger's serial
    std::string inverter;    // the inverter's serial; empty: any inverter of that logger
    Milliseconds upload_interval{300000};
    bool upload_interval_given = false;  // written to the logger (item 4) when it differs
    bool set_clock = true;               // the logger clock (item 31) is set when > 60 s off
    Milliseconds timeout{900000};  // offline when no record came for this long (3 intervals)
};

struct DeviceConfig {
    std::string name;
    std::string bus;
    std::uint8_t unit = 1;
    Milliseconds interval{10000};
    std::shared_ptr<const Profile> profile;  // null for inline-only devices
    std::string manufacturer;
    std::string model;
    Limits limits;
    PointList points;  // the profile's (shared), with inline points added or overriding by name
    Json domoticz;              // the device's "domoticz" mappings, checked by the MQTT sink's loader
    // Which writable points home automation and `regpoll write -c` may write: "writes":
    // ["relay_1"] or "all" (the profile must mark each point "writable" as well).
    bool writes_all = false;
    std::vector<std::string> writes;
    Milliseconds write_interval{1000};  // at most one write per point this often
    std::vector<Keepalive> keepalive;   // the profile's with the site's "keepalive" applied, checked against this device's points
    std::string json_path;      // "/devices/3", for messages about this device
    std::optional<ShineDeviceConfig> shine;  // set exactly for devices on a shine+listen:// bus

    const Point* point(const std::string& point_name) const;
    bool allows_write(const Point& p) const;
};

struct PollerSettings {
    Milliseconds stats_interval{60000};  // per-device counters in the log
    unsigned offline_after = 3;          // consecutive failed cycles before "offline"
    Milliseconds backoff_max{300000};    // longest wait between polls of an offline device
};

struct SiteConfig {
    std::string file;
    std::vector<BusConfig> buses;
    std::vector<DeviceConfig> devices;
    PollerSettings poller;
    Json mqtt;     // the "mqtt" section (null when absent), checked by the sink loaders
    Json history;  // the "history" section
    Json postgres; // the "postgres" section, checked by sink::parse_postgres_config
    Json plugins;  // the "plugins" section, checked by the plugin loader
    Json gateway;  // the "gateway" section, checked by gateway::parse_gateway_config
    Json http;     // the "http" section, checked by web::parse_http_config
    // "shard": "K/N" (or `--shard`, which overrides it): this poller takes only the devices
    // rendezvous hashing gives shard K (profile/site_shard.hpp). After keep_shard(), `devices`
    // and `buses` are this shard's and `elsewhere` names every other device's shard.
    std::optional<Shard> shard;
    struct Elsewhere {
        std::string device;
        unsigned shard = 1;
    };
    std::vector<Elsewhere> elsewhere;

    const Elsewhere* device_elsewhere(const std::string& name) const;

    const BusConfig* bus(const std::string& name) const;
    const DeviceConfig* device(const std::string& name) const;
};

struct LoadResult {
    std::optional<SiteConfig> config;  // empty when there were errors
    Diagnostics diagnostics;
};

// Loads the "plugins" section (null when absent) before the devices are read, reporting its
// mistakes to `diag`, and returns the point types its decoder plugins add (or null).
using PluginLoader = std::function<std::shared_ptr<const PointTypes>(const Json& section, const std::string& file,
                                                                     Diagnostics& diag)>;

// Without a plugin loader a "plugins" section is kept as it is, unchecked.
LoadResult load_site_config(const std::string& path, ProfileLibrary& library, const PluginLoader& plugins = {});

}  // namespace regpoll::profile
