#include "gateway/gateway_config.hpp"

#include <charconv>
#include <set>

#include "common/duration.hpp"
#include "profile/json_reader.hpp"
#include "transport/uri.hpp"

namespace regpoll::gateway {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::shown;

void parse_listen(JsonReader& r, GatewayConfig& g) {
    auto text = r.string("listen");
    if (!text) {
        if (!r.has("listen"))
            r.error_here("a gateway needs \"listen\", such as \"tcp://0.0.0.0:5020\"");
        return;
    }
    g.listen = *text;
    auto uri = transport::parse_uri(*text);
    if (!uri) return r.error("listen", uri.error());
    if (uri->scheme != "tcp" || !uri->query.empty()) {
        return r.error(
            "listen",
            shown(Json(*text)) + " is not a TCP address (expected e.g. \"tcp://0.0.0.0:5020\")");
    }
    g.host = uri->host;
    g.port = uri->port;
}

std::optional<std::uint8_t> unit_id(const std::string& key) {
    unsigned value = 0;
    const auto* end = key.data() + key.size();
    auto [ptr, ec] = std::from_chars(key.data(), end, value);
    if (key.empty() || ec != std::errc() || ptr != end || value > 255) return std::nullopt;
    return static_cast<std::uint8_t>(value);
}

std::optional<std::size_t> device_index(const profile::SiteConfig& config,
                                        const std::string& name) {
    for (std::size_t d = 0; d < config.devices.size(); ++d) {
        if (config.devices[d].name == name) return d;
    }
    return std::nullopt;
}

void parse_units(JsonReader& r, const profile::SiteConfig& config, GatewayConfig& g) {
    const Json* units = r.get("units");
    if (!units) {
        // Every device under its own unit id; two devices with one id need a map.
        for (std::size_t d = 0; d < config.devices.size(); ++d) {
            const auto& dev = config.devices[d];
            if (const auto* taken = g.route(dev.unit)) {
                r.error_here("devices \"" + config.devices[taken->device].name + "\" and \"" +
                             dev.name + "\" both use unit " + std::to_string(dev.unit) +
                             "; say which unit id serves which device in \"units\"");
                continue;
            }
            g.units.push_back({dev.unit, d});
        }
        return;
    }
    if (!units->is_object() || units->empty()) {
        return r.error("units",
                       "expected an object of unit ids and device names such as {\"1\": "
                       "\"inverter\"}, found " +
                           shown(*units));
    }
    for (const auto& [key, value] : units->items()) {
        const std::string path = "units/" + key;
        const auto unit = unit_id(key);
        if (!unit) {
            r.error(path, shown(Json(key)) + " is not a unit id (expected 0 to 255)");
            continue;
        }
        if (g.route(*unit)) {
            r.error(path, "unit " + std::to_string(*unit) + " is given twice");
            continue;
        }
        if (!value.is_string()) {
            r.error(path, "expected a device name, found " + shown(value));
            continue;
        }
        const auto d = device_index(config, value.get<std::string>());
        if (const auto* away = d ? nullptr : config.device_elsewhere(value.get<std::string>())) {
            // One site file serves every shard: the unit is another shard's to answer.
            r.diag().warning(r.file(), r.child_path(path),
                             "device " + shown(value) + " is polled by shard " +
                                 std::to_string(away->shard) + "/" +
                                 std::to_string(config.shard->count) + ", not this one (" +
                                 config.shard->text() + "): here unit " + std::to_string(*unit) +
                                 " is answered with exception 0x0A (gateway path unavailable)");
            continue;
        }
        if (!d) {
            std::string names;
            for (const auto& dev : config.devices) names += (names.empty() ? "" : ", ") + dev.name;
            r.error(path, "no device " + shown(value) + " (devices: " + names + ")");
            continue;
        }
        g.units.push_back({*unit, *d});
    }
}

std::optional<GatewayConfig> parse_one(JsonReader& r, const profile::SiteConfig& config) {
    if (!r.is_object()) {
        r.error_here("a gateway is an object such as {\"listen\": \"tcp://0.0.0.0:5020\"}");
        return std::nullopt;
    }
    const auto errors_before = r.diag().errors().size();
    GatewayConfig g;
    g.json_path = r.path();
    parse_listen(r, g);
    parse_units(r, config, g);
    if (auto w = r.choice("writes", {"deny", "points", "allow"})) {
        g.writes = *w == "allow"    ? WriteMode::allow
                   : *w == "points" ? WriteMode::points
                                    : WriteMode::deny;
    }
    if (auto age = r.duration("max_age")) {
        if (age->count() < 0) r.error("max_age", "a maximum age cannot be negative");
        g.max_age = *age;
    }
    if (auto n = r.integer("max_clients", 1, 1024)) g.max_clients = static_cast<std::size_t>(*n);
    r.reject_unknown("listen, units, writes, max_age, max_clients");
    if (r.diag().errors().size() != errors_before) return std::nullopt;
    return g;
}

}  // namespace

const char* write_mode_name(WriteMode mode) {
    switch (mode) {
        case WriteMode::deny:
            return "deny";
        case WriteMode::points:
            return "points";
        case WriteMode::allow:
            return "allow";
    }
    return "deny";
}

const UnitRoute* GatewayConfig::route(std::uint8_t unit) const {
    for (const auto& u : units) {
        if (u.unit == unit) return &u;
    }
    return nullptr;
}

std::string describe(const GatewayConfig& g, const profile::SiteConfig& config) {
    std::string units;
    for (const auto& u : g.units) {
        units += (units.empty() ? "" : ", ") + std::to_string(u.unit) + "=" +
                 config.devices[u.device].name;
    }
    // No unit: every device it names is another shard's.
    return "gateway " + g.listen + ": units " + (units.empty() ? "none here" : units) +
           "; writes " + write_mode_name(g.writes) + "; max_age " +
           (g.max_age ? format_duration(*g.max_age) : "twice each device's interval") +
           "; max_clients " + std::to_string(g.max_clients);
}

std::vector<GatewayConfig> parse_gateway_config(const profile::SiteConfig& config,
                                                profile::Diagnostics& diag) {
    std::vector<GatewayConfig> out;
    const Json& section = config.gateway;
    if (section.is_null()) return out;
    if (!section.is_array()) {
        diag.error(
            config.file, "/gateway",
            "expected a list of gateways such as [{\"listen\": \"tcp://0.0.0.0:5020\"}], found " +
                shown(section));
        return out;
    }
    std::set<std::string> listens;
    for (std::size_t i = 0; i < section.size(); ++i) {
        JsonReader r(section[i], config.file, "/gateway/" + std::to_string(i), diag);
        auto g = parse_one(r, config);
        if (!g) continue;
        if (!listens.insert(g->host + ":" + std::to_string(g->port)).second && g->port != 0) {
            r.error("listen",
                    shown(Json(g->listen)) + " is already the address of another gateway");
            continue;
        }
        out.push_back(std::move(*g));
    }
    return out;
}

}  // namespace regpoll::gateway
