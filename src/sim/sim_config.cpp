#include "sim/sim_config.hpp"

#include "sim/generator_parser.hpp"
#include "sim/value_order.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

namespace regpoll::sim {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::Point;
using profile::shown;

constexpr const char* fault_keys =
    "delay, jitter, drop_rate, corrupt_rate, exception_rate, exception_code, disconnect_rate, "
    "max_registers, "
    "single_connection";

void parse_points(JsonReader& dr, DeviceSpec& device, const DeviceFacts& facts) {
    const Json* points = dr.get("points");
    if (!points || !device.profile) return;
    if (!points->is_object()) {
        dr.error("points", "expected an object of point name → generator, found " + shown(*points));
        return;
    }
    const auto& profile_points = device.profile->points;
    for (const auto& item : points->items()) {
        // not a structured binding: clang 14 cannot capture one in the lambda below
        const std::string& name = item.key();
        const auto& spec = item.value();
        const auto point = std::find_if(profile_points.begin(), profile_points.end(),
                                        [&](const Point& q) { return q.name == name; });
        JsonReader pr(spec, dr.file(), dr.child_path("points") + "/" + name, dr.diag());
        if (point == profile_points.end()) {
            pr.error_here("no point named " + shown(Json(name)) + " in " + device.profile->file);
            continue;
        }
        if (!pr.is_object()) continue;
        if (auto g = parse_generator(pr, *point, profile_points, facts))
            device.points[name] = std::move(*g);
    }
}

}  // namespace

std::size_t listener_for(const std::string& uri, const std::string& file, const std::string& path,
                         const ListenerSpec& defaults, SimConfig& config,
                         profile::Diagnostics& diag) {
    auto address = parse_listen_address(uri);
    if (!address) {
        diag.error(file, path, address.error());
        return config.listeners.size();
    }
    const std::string key = address->to_string();
    for (std::size_t i = 0; i < config.listeners.size(); ++i) {
        if (config.listeners[i].address.to_string() == key) return i;
    }
    ListenerSpec l = defaults;
    l.uri = uri;
    l.address = *address;
    config.listeners.push_back(std::move(l));
    return config.listeners.size() - 1;
}

namespace {

void parse_device(JsonReader& dr, const std::string& default_uri, const ListenerSpec& defaults,
                  SimConfig& config, profile::ProfileLibrary& library) {
    DeviceSpec device;
    device.json_path = dr.path();
    const std::string base_dir = std::filesystem::path(dr.file()).parent_path().string();
    if (auto unit = dr.integer("unit", 0, 255)) device.unit = static_cast<std::uint8_t>(*unit);
    if (auto ref = dr.string("profile")) {
        device.profile_ref = *ref;
        device.profile =
            library.find(*ref, base_dir, dr.diag(), dr.file(), dr.child_path("profile"));
    } else if (!dr.has("profile")) {
        dr.error_here(
            "a device needs a \"profile\" (a library name such as \"growatt/min-tl-x\" or a file)");
    }
    device.name = dr.string("name").value_or(default_device_name(device.profile_ref, device.unit));
    const std::string uri = dr.string("listen").value_or(default_uri);
    device.listener =
        listener_for(uri, dr.file(), dr.has("listen") ? dr.child_path("listen") : "/listen",
                     defaults, config, dr.diag());
    if (const Json* faults = dr.get("faults");
        faults && device.listener < config.listeners.size()) {
        ListenerSpec& l = config.listeners[device.listener];
        JsonReader fr(*faults, dr.file(), dr.child_path("faults"), dr.diag());
        if (!l.faults_from.empty()) {
            fr.error_here("listener " + l.address.to_string() + " already has its faults from " +
                          l.faults_from + " (devices on one listener share them: give them once)");
        } else {
            l.faults_from = fr.path();
            parse_faults(fr, l);
        }
    }
    if (device.profile) {
        parse_points(dr, device,
                     DeviceFacts{device.profile->manufacturer, device.profile->model, device.unit});
    } else {
        dr.get("points");
    }
    dr.reject_unknown("name, unit, profile, listen, points, faults");
    config.devices.push_back(std::move(device));
}

// A signal is a number with no register behind it: a float point of its own name.
void parse_signals(JsonReader& r, SimConfig& config) {
    const Json* signals = r.get("signals");
    if (!signals) return;
    if (!signals->is_object()) {
        r.error("signals",
                "expected an object of signal name → generator, found " + shown(*signals));
        return;
    }
    std::vector<Point> points;
    for (const auto& [name, spec] : signals->items()) {
        Point p;
        p.name = name;
        p.format.type = codec::Type::float64;
        points.push_back(std::move(p));
    }
    for (const auto& p : points) {
        JsonReader sr((*signals)[p.name], r.file(), r.child_path("signals") + "/" + p.name,
                      r.diag());
        if (p.name.empty() || p.name.find('.') != std::string::npos) {
            sr.error_here(
                "a signal's name cannot be empty or hold a \".\" (\"device.point\" names a point)");
            continue;
        }
        if (!sr.is_object()) continue;
        if (auto g = parse_generator(sr, p, points, DeviceFacts{}))
            config.signals.push_back({p.name, std::move(*g)});
    }
}

// Every derived term names a value that exists, and no values derive from each other.
void check_value_order(const SimConfig& config, const std::string& file,
                       profile::Diagnostics& diag) {
    std::vector<ValueOwner> owners;
    std::vector<std::string> paths;
    for (const auto& d : config.devices) {
        ValueOwner o{d.name, {}, {}};
        for (const auto& p : d.profile->points) {
            o.names.push_back(p.name);
            const auto g = d.points.find(p.name);
            o.specs.push_back(g == d.points.end() ? nullptr : &g->second);
        }
        owners.push_back(std::move(o));
        paths.push_back(d.json_path + "/points/");
    }
    ValueOwner signals;
    for (const auto& s : config.signals) {
        signals.names.push_back(s.name);
        signals.specs.push_back(&s.generator);
    }
    owners.push_back(std::move(signals));
    paths.push_back("/signals/");
    for (const auto& e : order_values(owners).errors) {
        std::string path = paths[e.at.owner] + owners[e.at.owner].names[e.at.index];
        if (e.term) path += "/terms/" + std::to_string(*e.term) + "/point";
        diag.error(file, path, e.message);
    }
}

}  // namespace

std::optional<DeviceSpec> device_from_profile(const std::string& profile_ref, std::uint8_t unit,
                                              profile::ProfileLibrary& library,
                                              profile::Diagnostics& diag) {
    DeviceSpec device;
    device.unit = unit;
    device.profile_ref = profile_ref;
    device.name = default_device_name(profile_ref, unit);
    device.profile =
        library.find(profile_ref, std::filesystem::current_path().string(), diag, "--profile", "");
    if (!device.profile) return std::nullopt;
    return device;
}

std::string default_device_name(const std::string& profile_ref, std::uint8_t unit) {
    std::string stem = profile_ref;
    if (stem.ends_with(".json")) stem = std::filesystem::path(stem).stem().string();
    std::replace(stem.begin(), stem.end(), '/', '-');
    return stem + "-" + std::to_string(unit);
}

void parse_faults(JsonReader& r, ListenerSpec& l) {
    if (!r.is_object()) return;
    if (auto d = r.duration("delay")) l.faults.delay = *d;
    if (auto j = r.duration("jitter")) l.faults.jitter = *j;
    const auto rate = [&](const char* key, double& out) {
        if (auto v = r.number(key)) {
            if (*v < 0 || *v > 1) {
                r.error(key, shown(*r.get(key)) + " is not a probability (expected 0 to 1)");
            } else {
                out = *v;
            }
        }
    };
    rate("drop_rate", l.faults.drop_rate);
    rate("corrupt_rate", l.faults.corrupt_rate);
    rate("exception_rate", l.faults.exception_rate);
    rate("disconnect_rate", l.faults.disconnect_rate);
    if (auto code = r.integer("exception_code", 1, 255))
        l.faults.exception_code = static_cast<modbus::Errc>(*code);
    if (auto m = r.integer("max_registers", 1, 125))
        l.max_registers = static_cast<std::uint16_t>(*m);
    if (auto s = r.boolean("single_connection")) l.single_connection = *s;
    r.reject_unknown(fault_keys);
}

void check_sim_config(const SimConfig& config, profile::Diagnostics& diag) {
    std::set<std::string> names;
    std::set<std::pair<std::size_t, int>> units;
    for (std::size_t i = 0; i < config.devices.size(); ++i) {
        const DeviceSpec& d = config.devices[i];
        const std::string path = config.file.empty() ? "" : "/devices/" + std::to_string(i);
        const std::string file = config.file.empty() ? "regpoll simulate" : config.file;
        if (!names.insert(d.name).second)
            diag.error(file, path + "/name", "duplicate device name \"" + d.name + "\"");
        if (d.listener < config.listeners.size() && !units.insert({d.listener, d.unit}).second) {
            diag.error(file, path + "/unit",
                       "unit " + std::to_string(d.unit) + " is already served on " +
                           config.listeners[d.listener].address.to_string() +
                           " (give one of them another \"unit\")");
        }
    }
    for (const auto& c : config.sunspec) {
        if (c.listener < config.listeners.size() && !units.insert({c.listener, c.unit}).second) {
            diag.error(config.file, c.json_path,
                       "unit " + std::to_string(c.unit) + " is already served on " +
                           config.listeners[c.listener].address.to_string());
        }
    }
}

SimConfigResult load_sim_config(const std::string& path, profile::ProfileLibrary& library) {
    SimConfigResult result;
    profile::Diagnostics& diag = result.diagnostics;
    auto json = profile::load_json_file(path, diag);
    if (!json) return result;
    JsonReader r(*json, path, "", diag);
    if (!r.is_object()) return result;
    SimConfig config;
    config.file = path;
    const std::string default_uri = r.string("listen").value_or(default_listen);
    if (auto refresh = r.duration("refresh")) {
        if (refresh->count() <= 0) r.error("refresh", "the refresh interval must be longer than 0");
        config.refresh = *refresh;
    }
    if (auto seed = r.integer("seed", 0, 0x7FFFFFFFFFFFFFFFLL))
        config.seed = static_cast<std::uint64_t>(*seed);
    if (auto day = r.duration("day_length")) {
        if (day->count() <= 0) {
            r.error("day_length", "a simulated day must last longer than 0 (e.g. \"10m\")");
        } else {
            config.day_length = *day;
        }
    }
    parse_signals(r, config);
    ListenerSpec defaults;
    if (const Json* faults = r.get("faults")) {
        JsonReader fr(*faults, path, "/faults", diag);
        parse_faults(fr, defaults);
    }
    parse_sunspec_chains(r, default_uri, defaults, config);
    const Json* devices = r.get("devices");
    const bool any_devices = devices && devices->is_array() && !devices->empty();
    if (devices && !devices->is_array()) {
        r.error("devices", "expected a list of devices, found " + shown(*devices));
    } else if (!any_devices && !r.has("sunspec")) {
        r.error_here(devices ? "\"devices\" must be a non-empty list"
                             : "the configuration needs \"devices\" (or \"sunspec\")");
    }
    for (std::size_t i = 0; any_devices && i < devices->size(); ++i) {
        JsonReader dr((*devices)[i], path, "/devices/" + std::to_string(i), diag);
        if (dr.is_object()) parse_device(dr, default_uri, defaults, config, library);
    }
    r.reject_unknown("listen, refresh, seed, day_length, signals, faults, devices, sunspec");
    check_sim_config(config, diag);
    if (diag.ok()) check_value_order(config, path, diag);
    if (diag.ok()) result.config = std::move(config);
    return result;
}

}  // namespace regpoll::sim
