#pragma once
// What to simulate: devices (a profile, a unit id, generators for some points) served on
// listeners (an address, and the faults that listener injects). Built from a sim.json
// file by load_sim_config, or by the command line for one device.
//
// sim.json (comments allowed; every mistake is reported with file and JSON path):
//   {
//     "listen": "tcp://127.0.0.1:5020",     // devices without their own "listen" use it
//     "refresh": "1s",                     // how often generators move
//     "seed": 1,                           // random walks, noise and faults replay per seed
//     "day_length": "10m",                 // a simulated day passes in 10 minutes
//     "signals": { "load": { "generator": "random_walk", "nominal": 600 } },  // served by none
//     "faults": { ... },                   // defaults for every listener
//     "devices": [
//       { "name": "inverter", "unit": 1, "profile": "growatt/min-tl-x",
//         "listen": "tcp://127.0.0.1:5021", // optional; one listener per distinct URI
//         "points": { "ac_power": { "generator": "solar", "peak": 3000 },
//                     "status": { "generator": "constant", "value": "normal" } },
//         "faults": { "delay": "20ms", "jitter": "5ms", "drop_rate": 0.01,
//                     "corrupt_rate": 0, "exception_rate": 0, "exception_code": 6,
//                     "disconnect_rate": 0, "max_registers": 45, "single_connection": true } }
//     ],
//     "sunspec": [ { "preset": "fronius" } ]  // SunSpec chains (sim/sunspec_chains.hpp)
//   }
// Faults belong to a listener (one server answers for every unit on it): a device's
// "faults" are its listener's, on top of the top-level ones; two devices on one listener
// cannot both give them.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"
#include "profile/profile_loader.hpp"
#include "server/fault_policy.hpp"
#include "sim/default_generator.hpp"
#include "sim/generator_spec.hpp"
#include "sim/listen_address.hpp"
#include "sim/sunspec_chains.hpp"

namespace regpoll::sim {

struct ListenerSpec {
    std::string uri;  // as given, for messages
    ListenAddress address;
    server::FaultSettings faults;
    std::optional<std::uint16_t> max_registers;  // unset: the smallest of the devices' profiles
    std::optional<bool> single_connection;       // unset: on when a device's profile says so
    std::string faults_from;                     // JSON path of the device that gave "faults"
};

struct DeviceSpec {
    std::string name;
    std::uint8_t unit = 1;
    std::string profile_ref;
    std::shared_ptr<const profile::Profile> profile;
    std::size_t listener = 0;                     // index into SimConfig::listeners
    std::map<std::string, GeneratorSpec> points;  // configured; the rest get defaults
    std::string json_path;                        // "/devices/1", for messages
};

// A value no device serves, for derived points to use (a house's load).
struct SignalSpec {
    std::string name;
    GeneratorSpec generator;
};

struct SimConfig {
    std::string file;  // empty when built from the command line
    std::vector<ListenerSpec> listeners;
    std::vector<DeviceSpec> devices;
    std::vector<SunspecChainSpec> sunspec;  // chains served as they are ("sunspec")
    std::chrono::milliseconds refresh{1000};
    std::uint64_t seed = 1;
    // Simulated time runs 24 h / day_length times as fast (generators, energies, counters
    // and cycles alike); unset: real time.
    std::optional<std::chrono::milliseconds> day_length;
    std::vector<SignalSpec> signals;
};

struct SimConfigResult {
    std::optional<SimConfig> config;  // empty when there were errors
    profile::Diagnostics diagnostics;
};

inline constexpr const char* default_listen = "tcp://127.0.0.1:5020";

SimConfigResult load_sim_config(const std::string& path, profile::ProfileLibrary& library);

// The listener serving `uri` (made on first use, with `defaults`' faults); an index past
// the end after reporting a bad URI at `file`/`path`.
std::size_t listener_for(const std::string& uri, const std::string& file, const std::string& path,
                         const ListenerSpec& defaults, SimConfig& config,
                         profile::Diagnostics& diag);

// A "faults" object on top of what `listener` has.
void parse_faults(profile::JsonReader& reader, ListenerSpec& listener);

// "growatt-min-tl-x-1" for profile "growatt/min-tl-x", unit 1.
std::string default_device_name(const std::string& profile_ref, std::uint8_t unit);
// The one device of `regpoll simulate --profile`: the profile found in `library` (files
// relative to the working folder), named by default_device_name. nullopt (errors in `diag`,
// placed at "--profile") when the profile is not found.
std::optional<DeviceSpec> device_from_profile(const std::string& profile_ref, std::uint8_t unit,
                                              profile::ProfileLibrary& library,
                                              profile::Diagnostics& diag);

// Checks what both sources must satisfy (unit ids unique per listener, names unique,
// derived values naming existing values and not each other in a circle); errors go to
// `diag` under `file`.
void check_sim_config(const SimConfig& config, profile::Diagnostics& diag);

}  // namespace regpoll::sim
