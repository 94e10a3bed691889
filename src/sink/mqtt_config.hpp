#pragma once
// The "mqtt" section of a site configuration and each device's "domoticz" mappings,
// checked against the devices' points. Secrets come from a file or the environment and are
// never printed.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/site_config.hpp"

namespace regpoll::sink {

// Domoticz device types regpoll feeds, with the svalue each needs.
enum class DomoticzType {
    custom,
    temperature,
    voltage,
    current,
    current3,
    percentage,
    kwh,
    p1,
    counter,
    text,
    alert,
    switch_,
    selector,
    setpoint
};

// Types whose changes in Domoticz (on domoticz/out) are written to the device.
constexpr bool is_command_type(DomoticzType t) {
    return t == DomoticzType::switch_ || t == DomoticzType::selector || t == DomoticzType::setpoint;
}

struct DomoticzMapping {
    std::string device;
    int idx = 0;
    DomoticzType type = DomoticzType::custom;
    // The points feeding the svalue fields, in field order (kwh: power, energy; current3:
    // L1, L2, L3; p1: usage1, usage2, return1, return2, cons, prod; others: one point).
    std::vector<std::string> points;
    std::string json_path;
    // selector: the point's raw value for level 0, 10, 20, … ("levels", or the keys of the
    // point's map in order) and the map's text for each.
    std::vector<std::int64_t> levels;
    std::vector<std::string> level_texts;
    // An unchanged update is sent again after this long, so Domoticz sees the device alive;
    // 0: only changes are sent.
    std::chrono::milliseconds heartbeat{std::chrono::minutes(5)};
};

struct TlsConfig {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    bool verify = true;
};

struct MqttConfig {
    std::string broker;  // tcp://host:1883, ssl://host:8883
    std::string client_id = "regpoll";
    std::string username;
    std::string password;  // loaded from password_file / password_env
    std::optional<TlsConfig> tls;
    std::chrono::seconds keepalive{30};
    // A message may wait this long for others to go out with it: one wake-up of the
    // publisher and of paho per batch instead of per message. 0 sends each at once.
    std::chrono::milliseconds batch_delay{10};
    int qos = 1;
    std::string base_topic = "regpoll";
    bool plain_topics = true;  // <base>/<device>/<point>
    bool retain_plain = false;
    bool state_topic = true;  // <base>/<device>/state
    std::string domoticz_topic = "domoticz/in";
    std::string domoticz_out_topic = "domoticz/out";  // switch, selector and setpoint changes
    bool commands = true;  // <base>/<device>/<point>/set, and domoticz/out
    std::vector<DomoticzMapping> domoticz;
    bool homeassistant = false;
    std::string discovery_prefix = "homeassistant";
    // First part of unique ids, device identifiers and discovery topics; empty: base_topic.
    // A second installation on the same Home Assistant sets its own.
    std::string node_id;
    // "2-3" when this poller is shard 2 of 3: its status topic (and will) is
    // <base>/status/2-3, so each shard says online or offline for itself.
    std::string shard;
    std::string outbox_path;  // SQLite file for messages waiting on the broker
    std::size_t outbox_max_messages = 100000;
};

// nullopt when the config has no "mqtt" section or it has errors (reported to diag).
std::optional<MqttConfig> parse_mqtt_config(const profile::SiteConfig& site,
                                            profile::Diagnostics& diag);

const char* domoticz_type_name(DomoticzType t);

}  // namespace regpoll::sink
