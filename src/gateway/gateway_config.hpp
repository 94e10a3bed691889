#pragma once
// The "gateway" section of a site configuration: Modbus TCP servers in front of the
// poller, each answering clients from the values the poller holds.
//   "gateway": [ { "listen": "tcp://0.0.0.0:5020", "units": { "1": "inverter", "2": "meter" },
//                  "writes": "deny", "max_age": "2s", "max_clients": 32 } ]
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/site_config.hpp"

namespace regpoll::gateway {

enum class WriteMode {
    deny,    // every write gets exception 01 (illegal function)
    points,  // only registers of points the device may write, within min/max (else 02/03)
    allow,   // every write goes to the device through its bus queue
};
const char* write_mode_name(WriteMode mode);

struct UnitRoute {
    std::uint8_t unit = 0;   // what clients address
    std::size_t device = 0;  // index into SiteConfig::devices
};

struct GatewayConfig {
    std::string listen;  // as written, for messages
    std::string host;
    std::uint16_t port = 502;      // 0: the system picks one (logged)
    std::vector<UnitRoute> units;  // by unit id
    WriteMode writes = WriteMode::deny;
    // Oldest held value a read is answered with; unset: twice each device's interval, so
    // what the poller polls is always answered from what it holds. 0: always ask the device.
    std::optional<std::chrono::milliseconds> max_age;
    std::size_t max_clients = 32;  // mbusd's default
    std::string json_path;         // "/gateway/0"

    const UnitRoute* route(std::uint8_t unit) const;
};

// "gateway tcp://0.0.0.0:5020: units 1=inverter, 2=meter; writes deny; max_age 2s;
// max_clients 32", for `validate` and the log at start.
std::string describe(const GatewayConfig& gateway, const profile::SiteConfig& config);

// Checks the section (`config.gateway`, null when absent); mistakes go to `diag` with the
// file and JSON path. An empty list when there is none.
std::vector<GatewayConfig> parse_gateway_config(const profile::SiteConfig& config,
                                                profile::Diagnostics& diag);

}  // namespace regpoll::gateway
