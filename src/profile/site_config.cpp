#include "profile/site_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "profile/keepalive_parser.hpp"
#include "profile/point_parser.hpp"
#include "profile/profile_metadata.hpp"

namespace regpoll::profile {
namespace {

bool valid_device_name(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

// "timezone": "local" (the default: `offset` stays empty), "UTC" or a fixed offset
// "+HH:MM" / "-HH:MM" in minutes east of UTC. False when the text is none of these.
bool parse_utc_offset(const std::string& text, std::optional<int>& offset) {
    offset.reset();
    if (text == "local") return true;
    if (text == "UTC" || text == "Z") {
        offset = 0;
        return true;
    }
    const auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
    if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || !digit(1) || !digit(2) ||
        !digit(4) || !digit(5)) {
        return false;
    }
    const int hours = (text[1] - '0') * 10 + (text[2] - '0');
    const int minutes = (text[4] - '0') * 10 + (text[5] - '0');
    if (hours > 14 || minutes > 59) return false;
    offset = (text[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
    return true;
}

// "host:port" (port 5279 when left out), host a name, an IPv4 address or a [bracketed] IPv6
// address. Empty when it is fine, else what is wrong.
std::string parse_relay_target(const std::string& text, BusConfig::ShineRelay& relay) {
    std::string host = text;
    std::string port;
    if (text.starts_with("[")) {
        const auto close = text.find(']');
        if (close == std::string::npos) return "has an unclosed [ in its IPv6 address";
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return "has something other than :port after ]";
            port = text.substr(close + 2);
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const bool bracketed = text.starts_with("[");
    const auto host_char = [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
               (bracketed && c == ':');
    };
    if (host.empty() || !std::all_of(host.begin(), host.end(), host_char))
        return "has no host name or address before the port";
    if (text.rfind(':') != std::string::npos && port.empty()) return "has an empty port after ':'";
    if (!port.empty()) {
        const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
                                return std::isdigit(static_cast<unsigned char>(c)) != 0;
                            });
        const long value = digits ? std::stol(port) : 0;
        if (value < 1 || value > 65535) return "has port \"" + port + "\", not a number from 1 to 65535";
        relay.port = static_cast<std::uint16_t>(value);
    }
    relay.host = host;
    return {};
}

bool parse_shine_relay(JsonReader& r, BusConfig& bus) {
    bool ok = true;
    if (auto target = r.string("relay")) {
        BusConfig::ShineRelay relay;
        const auto wrong = parse_relay_target(*target, relay);
        if (wrong.empty()) {
            bus.relay = relay;
        } else {
            r.error("relay", shown(Json(*target)) + " " + wrong +
                                 " (expected host:port of the Growatt server, such as \"server.growatt.com:5279\")");
            ok = false;
        }
    } else if (r.has("relay")) {
        ok = false;
    }
    if (auto v = r.choice("relay_commands", {"block", "allow"})) {
        if (bus.relay) {
            bus.relay->allow_commands = *v == "allow";
        } else if (ok) {
            r.error("relay_commands", "\"relay_commands\" needs \"relay\" on the same bus (the Growatt server to relay to)");
            ok = false;
        }
    } else if (r.has("relay_commands")) {
        ok = false;
    }
    return ok;
}

bool parse_shine_bus(JsonReader& r, BusConfig& bus) {
    bool ok = true;
    if (auto v = r.choice("unknown_loggers", {"ack", "drop"})) bus.drop_unknown_loggers = *v == "drop";
    else if (r.has("unknown_loggers")) ok = false;
    if (auto tz = r.string("timezone")) {
        if (!parse_utc_offset(*tz, bus.utc_offset_minutes)) {
            r.error("timezone", shown(Json(*tz)) +
                                    " is not a time zone regpoll knows: use \"local\" (the host's, the default), "
                                    "\"UTC\" or a fixed offset such as \"+01:00\"");
            ok = false;
        }
    } else if (r.has("timezone")) {
        ok = false;
    }
    return parse_shine_relay(r, bus) && ok;
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
    std::string keys = "name, uri, timeout, max_in_flight";
    if (bus.is_shine()) {
        ok = parse_shine_bus(r, bus) && ok;
        keys += ", unknown_loggers, timezone, relay, relay_commands";
    } else {
        for (const char* key : {"unknown_loggers", "timezone", "relay", "relay_commands"}) {
            if (r.has(key)) {
                r.get(key);
                r.error(key, std::string("\"") + key + "\" applies to shine+listen:// buses only");
                ok = false;
            }
        }
    }
    r.reject_unknown(keys);
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

constexpr const char* shine_device_keys[] = {"datalogger", "inverter", "upload_interval", "timeout", "set_clock"};

// The keys of a device behind a Shine datalogger; `timeout` defaults to three upload intervals.
void parse_shine_device(JsonReader& r, DeviceConfig& dev) {
    ShineDeviceConfig s;
    if (auto v = r.string("datalogger")) {
        s.datalogger = *v;
        if (s.datalogger.empty()) r.error("datalogger", "the datalogger serial is empty");
    } else if (!r.has("datalogger")) {
        r.error_here("a device on a shine+listen:// bus needs a \"datalogger\": the logger's serial number "
                     "(regpoll logs it when a logger it does not know connects)");
    }
    if (auto v = r.string("inverter")) s.inverter = *v;
    if (auto v = r.duration("upload_interval")) {
        if (v->count() <= 0) r.error("upload_interval", "the upload interval must be longer than 0");
        else {
            s.upload_interval = *v;
            s.upload_interval_given = true;
        }
    }
    if (auto v = r.boolean("set_clock")) s.set_clock = *v;
    s.timeout = 3 * s.upload_interval;
    if (auto v = r.duration("timeout")) {
        if (v->count() <= 0) r.error("timeout", "a timeout must be longer than 0");
        else s.timeout = *v;
    }
    dev.shine = std::move(s);
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
                                         const std::set<std::string>& shine_buses,
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
            dev.keepalive = dev.profile->keepalive;
            if (!r.has("unit")) {
                // The profile was loaded and checked just now, so its metadata reads.
                if (auto meta = load_profile_metadata(dev.profile->file, r.diag()); meta && meta->default_unit)
                    dev.unit = *meta->default_unit;
            }
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
            auto& points_here = dev.points.edit();
            auto same = std::find_if(points_here.begin(), points_here.end(),
                                     [&](const Point& q) { return q.name == point->name; });
            if (same != points_here.end() && same->file != r.file()) {
                *same = std::move(*point);
            } else {
                points_here.push_back(std::move(*point));
            }
        }
    }
    if (!r.has("profile") && !points) {
        r.error_here("a device needs a \"profile\", inline \"points\", or both");
    } else if (dev.points.empty() && r.diag().errors().size() == errors_before) {
        r.error_here("the device has no points");
    }
    parse_writes(r, dev);
    // The site's own entries are checked where they are written (and left out when wrong), so
    // only the profile's can fail below: inline points and limits may have changed what they
    // rely on.
    if (const Json* kept = r.get("keepalive")) {
        dev.keepalive = apply_site_keepalive(*kept, std::move(dev.keepalive), dev.points, dev.limits, r.file(),
                                             r.child_path("keepalive"), r.diag());
    }
    for (const auto& k : dev.keepalive) {
        if (auto problem = keepalive_problem(k, dev.points, dev.limits)) {
            r.error_here("the profile's keepalive of \"" + k.point + "\" cannot run here: " + problem->second);
        }
    }
    if (r.string("profile").value_or("") != "sunspec") {
        for (const char* key : {"models", "acc_zero_missing"}) {
            if (r.has(key)) r.error(key, std::string("\"") + key + "\" goes with \"profile\": \"sunspec\"");
        }
    }
    std::string keys = "name, bus, unit, profile, interval, manufacturer, model, limits, points, keepalive, domoticz, "
                       "writes, write_interval, models, acc_zero_missing";
    if (shine_buses.count(dev.bus)) {
        parse_shine_device(r, dev);
        for (const char* key : shine_device_keys) keys += std::string(", ") + key;
    } else {
        for (const char* key : shine_device_keys) {
            if (!r.has(key)) continue;
            r.get(key);
            r.error(key, std::string("\"") + key + "\" applies to devices on a shine+listen:// bus only");
        }
    }
    r.reject_unknown(keys);
    check_points(dev.points, r.file(), r.diag());
    if (r.diag().errors().size() != errors_before) ok = false;
    if (!ok) return std::nullopt;
    return dev;
}

// Every record must find at most one device: one device per (datalogger, inverter), and a
// device without "inverter" is the only one of its datalogger.
void check_shine_matches(const SiteConfig& site, Diagnostics& diag) {
    for (std::size_t i = 0; i < site.devices.size(); ++i) {
        const auto& a = site.devices[i];
        if (!a.shine) continue;
        for (std::size_t j = 0; j < i; ++j) {
            const auto& b = site.devices[j];
            if (!b.shine || a.shine->datalogger != b.shine->datalogger) continue;
            if (a.shine->inverter.empty() || b.shine->inverter.empty()) {
                diag.error(site.file, a.json_path,
                           "devices " + b.name + " and " + a.name + " both take datalogger " + a.shine->datalogger +
                               ": give each its \"inverter\" serial");
            } else if (a.shine->inverter == b.shine->inverter) {
                diag.error(site.file, a.json_path,
                           "devices " + b.name + " and " + a.name + " both take inverter " + a.shine->inverter +
                               " of datalogger " + a.shine->datalogger);
            }
        }
    }
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

const SiteConfig::Elsewhere* SiteConfig::device_elsewhere(const std::string& name) const {
    for (const auto& e : elsewhere) {
        if (e.device == name) return &e;
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
    std::set<std::string> shine_buses;
    for (const auto& bus : site.buses) {
        if (bus.is_shine()) shine_buses.insert(bus.name);
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
            auto dev = parse_device(dr, bus_names, shine_buses, site.buses, library, base_dir);
            if (dev) site.devices.push_back(std::move(*dev));
        }
        check_shine_matches(site, diag);
    }
    if (const Json* mqtt = r.get("mqtt")) site.mqtt = *mqtt;
    if (const Json* history = r.get("history")) site.history = *history;
    if (const Json* postgres = r.get("postgres")) site.postgres = *postgres;
    if (const Json* gateway = r.get("gateway")) site.gateway = *gateway;
    if (const Json* http = r.get("http")) site.http = *http;
    if (auto text = r.string("shard")) {
        if (auto shard = parse_shard(*text)) site.shard = *shard;
        else r.error("shard", shard.error());
    }
    r.reject_unknown("buses, devices, poller, mqtt, history, postgres, plugins, gateway, http, shard");
    if (diag.ok()) result.config = std::move(site);
    return result;
}

}  // namespace regpoll::profile
