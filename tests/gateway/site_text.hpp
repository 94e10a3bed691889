#pragma once
// A site configuration from text, for the gateway's tests: written to a temporary file
// (so messages name a file) and loaded as `regpoll run` loads it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "gateway/gateway_config.hpp"
#include "profile/site_config.hpp"

namespace regpoll::gateway::testing {

struct LoadedSite {
    std::shared_ptr<const profile::SiteConfig> config;  // null when the devices did not load
    std::vector<GatewayConfig> gateways;
    profile::Diagnostics diagnostics;
    std::string path;

    std::string errors() const {
        std::string all;
        for (const auto& e : diagnostics.errors()) all += e + "\n";
        return all;
    }
};

inline LoadedSite load_site_text(const std::string& text) {
    namespace fs = std::filesystem;
    const auto dir =
        fs::temp_directory_path() / ("regpoll-gateway-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    LoadedSite out;
    out.path = (dir / "site.json").string();
    std::ofstream(out.path) << text;
    profile::ProfileLibrary library;
    auto result = profile::load_site_config(out.path, library);
    out.diagnostics = std::move(result.diagnostics);
    if (result.config) {
        out.gateways = parse_gateway_config(*result.config, out.diagnostics);
        out.config = std::make_shared<const profile::SiteConfig>(std::move(*result.config));
    }
    fs::remove_all(dir);
    return out;
}

// One bus at `uri` with the devices given (JSON objects, comma separated), and `rest`
// (",\"gateway\": [...]").
inline std::string site_json(const std::string& uri, const std::string& devices,
                             const std::string& rest) {
    return R"({ "buses": [ { "name": "lab", "uri": ")" + uri +
           R"(", "timeout": "2s" } ], "devices": [ )" + devices + " ]" + rest + " }";
}

// A device with holding 0..3 (u16, the last two writable with min 0 max 100), a writable
// float32 at 10 and a coil 0 that may be written.
inline std::string test_device(const std::string& name, int unit, const std::string& extra = "") {
    return R"({ "name": ")" + name + R"(", "bus": "lab", "unit": )" + std::to_string(unit) +
           R"(, "interval": "200ms", "manufacturer": "Acme", "model": "Box 1", "writes": "all", "points": [
        { "name": "a", "address": 0, "type": "uint16" },
        { "name": "b", "address": 1, "type": "uint16" },
        { "name": "setpoint", "address": 2, "type": "uint16", "writable": true, "min": 0, "max": 100 },
        { "name": "limit", "address": 3, "type": "uint16", "writable": true, "min": 0, "max": 100 },
        { "name": "level", "address": 10, "type": "float32", "writable": true, "min": -10, "max": 10 },
        { "name": "relay", "register": "coil", "address": 0, "writable": true } ])" +
           extra + " }";
}

}  // namespace regpoll::gateway::testing
