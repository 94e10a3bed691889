#include "profile/site_config.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "profile/point_parser.hpp"

namespace regpoll::profile {
namespace {

bool valid_device_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

std::optional<BusConfig> parse_bus(JsonReader& r) {
    if (!r.is_object()) return std::nullopt;
    BusConfig bus;
    bool ok = true;
    if (auto n = r.string("name")) {
        bus.name = *n;
        if (!valid_device_name(bus.name)) {
            r.error("name", shown(Json(bus.name)) + " is not a valid name (letters, digits, _ and -)");
            ok = false;
        }
    } else {
        if (!r.has("name")) r.error_here("a bus needs a \"name\"");
        ok = false;
    }
    if (auto u = r.string("uri")) {
        auto uri = transport::parse_uri(*u);
        if (uri) {
            bus.uri = *uri;
        } else {
            r.error("uri", uri.error());
            ok = false;
        }
    } else {
        if (!r.has("uri")) r.error_here("a bus needs a \"uri\" such as \"tcp://192.168.1.10:502\"");
        ok = false;
    }
    if (auto t = r.duration("timeout")) {
        if (t->count() <= 0) {
            r.error("timeout", "a timeout must be longer than 0");
            ok = false;
        }
        bus.timeout = *t;
    } else if (r.has("timeout")) {
        ok = false;
    }
    if (auto m = r.integer("max_in_flight", 1, 64)) bus.max_in_flight = static_cast<std::size_t>(*m);
    else if (r.has("max_in_flight")) ok = false;
    r.reject_unknown("name, uri, timeout, max_in_flight");
    if (!ok) return std::nullopt;
    return bus;
}

void parse_poller(JsonReader& r, PollerSettings& s) {
    if (auto v = r.duration("stats_interval")) s.stats_interval = *v;
    if (auto v = r.integer("offline_after", 1, 1000)) s.offline_after = static_cast<unsigned>(*v);
    if (auto v = r.duration("backoff_max")) s.backoff_max = *v;
    r.reject_unknown("stats_interval, offline_after, backoff_max");
}

// "writes": "all" or a list of point names, each of them writable in the profile.
void parse_writes(JsonReader& r, DeviceConfig& dev) {
    if (auto iv = r.duration("write_interval")) dev.write_interval = *iv;
    const Json* writes = r.get("writes");
    if (!writes) return;
    if (writes->is_string() && writes->get<std::string>() == "all") {
        dev.writes_all = true;
        return;
    }
    if (!writes->is_array()) {
        r.error("writes", "expected \"all\" or a list of point names, found " + shown(*writes));
        return;
    }
    for (std::size_t i = 0; i < writes->size(); ++i) {
        const Json& item = (*writes)[i];
        const std::string path = "writes/" + std::to_string(i);
        if (!item.is_string()) {
            r.error(path, "expected a point name, found " + shown(item));
            continue;
        }
        const auto name = item.get<std::string>();
        const Point* p = dev.point(name);
        if (!p) r.error(path, "no point \"" + name + "\" in device " + dev.name);
        else if (!p->writable) r.error(path, "point \"" + name + "\" is not writable (its profile does not mark it \"writable\")");
        else dev.writes.push_back(name);
    }
}

// "profile": "sunspec": "models" picks models, "acc_zero_missing" reads accumulators of 0 as
// missing; the profile itself comes from discovery through the library's SunSpec source.
std::shared_ptr<const Profile> sunspec_profile(JsonReader& r, const DeviceConfig& dev,
                                               const std::vector<BusConfig>& buses,
                                               const ProfileLibrary& library) {
    SunspecRequest req;
    req.device = dev.name;
    req.unit = dev.unit;
    req.config_file = r.file();
    if (const Json* models = r.get("models")) {
        if (!models->is_array()) r.error("models", "expected a list of SunSpec model ids such as [103, 160]");
        for (std::size_t i = 0; models->is_array() && i < models->size(); ++i) {
            const Json& m = (*models)[i];
            if (!m.is_number_integer() || m.get<std::int64_t>() < 1 || m.get<std::int64_t>() > 65534) {
                r.error("models", "entry " + std::to_string(i) + " (" + shown(m) + ") is not a model id (1-65534)");
                continue;
            }
            req.models.push_back(m.get<std::uint16_t>());
        }
    }
    if (auto z = r.boolean("acc_zero_missing")) req.acc_zero_missing = *z;
    auto bus = std::find_if(buses.begin(), buses.end(), [&](const BusConfig& b) { return b.name == dev.bus; });
    if (bus == buses.end()) return nullptr;  // reported with the bus
    req.bus_uri = bus->uri.to_string();
    req.timeout = bus->timeout;
    if (!library.sunspec_source()) {
        r.error("profile", "\"sunspec\" needs discovery, which this command does not do");
        return nullptr;
    }
    return library.sunspec_source()(req, r.diag(), r.file(), r.child_path("profile"));
}

std::optional<DeviceConfig> parse_device(JsonReader& r, const std::set<std::string>& bus_names,
                                         const std::vector<BusConfig>& buses, ProfileLibrary& library,
                                         const std::string& base_dir) {
    if (!r.is_object()) return std::nullopt;
    DeviceConfig dev;
    bool ok = true;
    const std::size_t errors_before = r.diag().errors().size();
    if (auto n = r.string("name")) {
        dev.name = *n;
        if (!valid_device_name(dev.name)) {
            r.error("name", shown(Json(dev.name)) + " is not a valid name (letters, digits, _ and -)");
        }
    } else if (!r.has("name")) {
        r.error_here("a device needs a \"name\"");
    }
    if (auto b = r.string("bus")) {
        dev.bus = *b;
        if (!bus_names.count(dev.bus)) {
            std::string names;
            for (const auto& name : bus_names) names += (names.empty() ? "" : ", ") + name;
            r.error("bus", "unknown bus \"" + dev.bus + "\" (buses: " + (names.empty() ? "none" : names) + ")");
        }
    } else if (!r.has("bus")) {
        r.error_here("a device needs a \"bus\"");
    }
    if (auto u = r.integer("unit", 0, 255)) dev.unit = static_cast<std::uint8_t>(*u);
    if (auto iv = r.duration("interval")) {
        dev.interval = *iv;
    }
    if (auto p = r.string("profile")) {
        dev.profile = *p == "sunspec" ? sunspec_profile(r, dev, buses, library)
                                      : library.find(*p, base_dir, r.diag(), r.file(), r.child_path("profile"));
        if (dev.profile) {
            dev.manufacturer = dev.profile->manufacturer;
            dev.model = dev.profile->model;
            dev.limits = dev.profile->limits;
            dev.points = dev.profile->points;
        }
    }
    dev.json_path = r.path();
    if (const Json* dz = r.get("domoticz")) dev.domoticz = *dz;
    if (auto m = r.string("manufacturer")) dev.manufacturer = *m;
    if (auto m = r.string("model")) dev.model = *m;
    if (const Json* limits = r.get("limits")) {
        JsonReader lr(*limits, r.file(), r.child_path("limits"), r.diag());
        dev.limits = parse_limits(lr, dev.limits);
    }
    const Json* points = r.get("points");
    if (points && !points->is_array()) {
        r.error("points", "expected a list of points, found " + shown(*points));
    } else if (points) {
        for (std::size_t i = 0; i < points->size(); ++i) {
            JsonReader pr((*points)[i], r.file(), r.child_path("points") + "/" + std::to_string(i), r.diag());
            auto point = parse_point(pr, library.point_types());
            if (!point) continue;
            // Inline points add to the profile's, or replace the one with the same name.
            auto same = std::find_if(dev.points.begin(), dev.points.end(),
                                     [&](const Point& q) { return q.name == point->name; });
            if (same != dev.points.end() && same->file != r.file()) {
                *same = std::move(*point);
            } else {
                dev.points.push_back(std::move(*point));
            }
        }
    }
    if (!r.has("profile") && !points) {
        r.error_here("a device needs a \"profile\", inline \"points\", or both");
    } else if (dev.points.empty() && r.diag().errors().size() == errors_before) {
        r.error_here("the device has no points");
    }
    parse_writes(r, dev);
    if (r.string("profile").value_or("") != "sunspec") {
        for (const char* key : {"models", "acc_zero_missing"}) {
            if (r.has(key)) r.error(key, std::string("\"") + key + "\" goes with \"profile\": \"sunspec\"");
        }
    }
    r.reject_unknown("name, bus, unit, profile, interval, manufacturer, model, limits, points, domoticz, writes, "
                     "write_interval, models, acc_zero_missing");
    check_points(dev.points, r.file(), r.diag());
    if (r.diag().errors().size() != errors_before) ok = false;
    if (!ok) return std::nullopt;
    return dev;
}

}  // namespace

const BusConfig* SiteConfig::bus(const std::string& name) const {
    for (const auto& b : buses) {
        if (b.name == name) return &b;
    }
    return nullptr;
}

const DeviceConfig* SiteConfig::device(const std::string& name) const {
    for (const auto& d : devices) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

bool DeviceConfig::allows_write(const Point& p) const {
    return p.writable && (writes_all || std::find(writes.begin(), writes.end(), p.name) != writes.end());
}

const Point* DeviceConfig::point(const std::string& point_name) const {
    for (const auto& p : points) {
        if (p.name == point_name) return &p;
    }
    return nullptr;
}

LoadResult load_site_config(const std::string& path, ProfileLibrary& library, const PluginLoader& plugins) {
    LoadResult result;
    Diagnostics& diag = result.diagnostics;
    auto json = load_json_file(path, diag);
    if (!json) return result;
    JsonReader r(*json, path, "", diag);
    if (!r.is_object()) return result;
    SiteConfig site;
    site.file = path;
    const std::string base_dir = std::filesystem::path(path).parent_path().string();

    // Plugins first: decoder plugins add point types the devices' points may use.
    if (const Json* section = r.get("plugins")) site.plugins = *section;
    if (plugins) library.set_point_types(plugins(site.plugins, path, diag));

    // Every bus name, even of buses with errors, so devices on them are not reported again.
    std::set<std::string> bus_names;
    const Json* buses = r.get("buses");
    if (!buses || !buses->is_array() || buses->empty()) {
        r.error_here(buses ? "\"buses\" must be a non-empty list" : "the configuration needs \"buses\"");
    } else {
        std::set<std::string> names;
        for (std::size_t i = 0; i < buses->size(); ++i) {
            JsonReader br((*buses)[i], path, "/buses/" + std::to_string(i), diag);
            if ((*buses)[i].is_object() && (*buses)[i].contains("name") && (*buses)[i]["name"].is_string()) {
                bus_names.insert((*buses)[i]["name"].get<std::string>());
            }
            auto bus = parse_bus(br);
            if (!bus) continue;
            if (!names.insert(bus->name).second) {
                br.error("name", "duplicate bus name \"" + bus->name + "\"");
                continue;
            }
            site.buses.push_back(std::move(*bus));
        }
    }
    if (const Json* poller = r.get("poller")) {
        JsonReader pr(*poller, path, "/poller", diag);
        parse_poller(pr, site.poller);
    }
    const Json* devices = r.get("devices");
    if (!devices || !devices->is_array() || devices->empty()) {
        r.error_here(devices ? "\"devices\" must be a non-empty list" : "the configuration needs \"devices\"");
    } else {
        std::set<std::string> names;
        for (std::size_t i = 0; i < devices->size(); ++i) {
            JsonReader dr((*devices)[i], path, "/devices/" + std::to_string(i), diag);
            const Json& item = (*devices)[i];
            if (item.is_object() && item.contains("name") && item["name"].is_string() &&
                !names.insert(item["name"].get<std::string>()).second) {
                dr.error("name", "duplicate device name \"" + item["name"].get<std::string>() + "\"");
            }
            auto dev = parse_device(dr, bus_names, site.buses, library, base_dir);
            if (dev) site.devices.push_back(std::move(*dev));
        }
    }
    if (const Json* mqtt = r.get("mqtt")) site.mqtt = *mqtt;
    if (const Json* history = r.get("history")) site.history = *history;
    if (const Json* gateway = r.get("gateway")) site.gateway = *gateway;
    if (const Json* http = r.get("http")) site.http = *http;
    r.reject_unknown("buses, devices, poller, mqtt, history, plugins, gateway, http");
    if (diag.ok()) result.config = std::move(site);
    return result;
}

}  // namespace regpoll::profile
