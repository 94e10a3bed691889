#include "sink/mqtt_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec/types.hpp"
#include "common/env_dirs.hpp"
#include "sink/ha_rules.hpp"

namespace regpoll::sink {
namespace {

using profile::Json;
using profile::JsonReader;

struct TypeInfo {
    const char* name;
    DomoticzType type;
    std::vector<const char*> fields;  // point keys in svalue order
};

const std::vector<TypeInfo>& type_table() {
    static const std::vector<TypeInfo> table{
        {"custom", DomoticzType::custom, {"point"}},
        {"temperature", DomoticzType::temperature, {"point"}},
        {"voltage", DomoticzType::voltage, {"point"}},
        {"current", DomoticzType::current, {"point"}},
        {"current3", DomoticzType::current3, {"l1", "l2", "l3"}},
        {"percentage", DomoticzType::percentage, {"point"}},
        {"kwh", DomoticzType::kwh, {"power", "energy"}},
        {"p1", DomoticzType::p1, {"usage1", "usage2", "return1", "return2", "cons", "prod"}},
        {"counter", DomoticzType::counter, {"point"}},
        {"text", DomoticzType::text, {"point"}},
        {"alert", DomoticzType::alert, {"point"}},
        {"switch", DomoticzType::switch_, {"point"}},
        {"selector", DomoticzType::selector, {"point"}},
        {"setpoint", DomoticzType::setpoint, {"point"}},
    };
    return table;
}

// A selector's levels 0, 10, 20, … stand for the point's raw values: "levels" lists them,
// or else the point's map does, in order.
void parse_levels(JsonReader& r, const profile::DeviceConfig& dev, DomoticzMapping& m) {
    const auto* p = m.points.empty() ? nullptr : dev.point(m.points[0]);
    if (!p) return;
    if (const Json* levels = r.get("levels")) {
        if (!levels->is_array() || levels->empty()) {
            r.error("levels", "expected a list of the point's raw values for levels 0, 10, 20, …");
            return;
        }
        for (const auto& v : *levels) {
            if (!v.is_number_integer()) {
                r.error("levels", "expected integers (the point's raw values), found " + v.dump());
                return;
            }
            m.levels.push_back(v.get<std::int64_t>());
        }
    } else if (!p->map.empty()) {
        for (const auto& [raw, text] : p->map) m.levels.push_back(raw);
    } else {
        r.error_here(
            "a selector needs \"levels\" (the raw values for levels 0, 10, 20, …) or a point with "
            "a \"map\"");
        return;
    }
    for (auto raw : m.levels) {
        auto it = p->map.find(raw);
        m.level_texts.push_back(it != p->map.end() ? it->second : std::to_string(raw));
    }
}

void parse_domoticz(const profile::DeviceConfig& dev, const std::string& file,
                    profile::Diagnostics& diag, MqttConfig& out) {
    if (dev.domoticz.is_null()) return;
    const std::string base = dev.json_path + "/domoticz";
    if (!dev.domoticz.is_array()) {
        diag.error(file, base,
                   "expected a list of mappings such as [{\"idx\": 12, \"type\": \"voltage\", "
                   "\"point\": \"l1_voltage\"}]");
        return;
    }
    for (std::size_t i = 0; i < dev.domoticz.size(); ++i) {
        JsonReader r(dev.domoticz[i], file, base + "/" + std::to_string(i), diag);
        if (!r.is_object()) continue;
        DomoticzMapping m;
        m.device = dev.name;
        m.json_path = r.path();
        if (auto idx = r.integer("idx", 1, 1'000'000'000))
            m.idx = static_cast<int>(*idx);
        else if (!r.has("idx"))
            r.error_here("a Domoticz mapping needs its device \"idx\"");
        const TypeInfo* info = nullptr;
        if (auto t = r.string("type")) {
            for (const auto& entry : type_table()) {
                if (*t == entry.name) info = &entry;
            }
            if (!info) {
                std::string names;
                for (const auto& entry : type_table())
                    names += (names.empty() ? "" : ", ") + std::string(entry.name);
                r.error("type",
                        "\"" + *t + "\" is not a Domoticz type regpoll feeds (" + names + ")");
            }
        } else if (!r.has("type")) {
            r.error_here("a Domoticz mapping needs a \"type\"");
        }
        if (info) {
            m.type = info->type;
            for (const char* field : info->fields) {
                auto name = r.string(field);
                if (!name) {
                    if (!r.has(field))
                        r.error_here(std::string("type ") + info->name + " needs \"" + field +
                                     "\" (a point name)");
                    continue;
                }
                if (!dev.point(*name))
                    r.error(field, "no point \"" + *name + "\" in device " + dev.name);
                m.points.push_back(*name);
            }
        }
        if (info && info->type == DomoticzType::selector) parse_levels(r, dev, m);
        if (auto hb = r.duration("heartbeat")) m.heartbeat = *hb;
        if (info && is_command_type(info->type) && m.points.size() == 1) {
            const auto* p = dev.point(m.points[0]);
            if (p && !dev.allows_write(*p)) {
                diag.warning(file, r.path(),
                             std::string("Domoticz ") + info->name + " idx " +
                                 std::to_string(m.idx) + " only shows \"" + p->name +
                                 "\": changes made in Domoticz are refused until the point is " +
                                 (p->writable ? "listed in the device's \"writes\""
                                              : "writable in its profile"));
            }
        }
        r.reject_unknown(info ? (info->type == DomoticzType::selector
                                     ? "idx, type, point, levels, heartbeat"
                                     : "idx, type, heartbeat and the type's point fields")
                              : "idx, type, point, heartbeat");
        if (info && m.points.size() == info->fields.size() && m.idx > 0)
            out.domoticz.push_back(std::move(m));
    }
}

// Home Assistant refuses a whole discovery config over a unit or class it does not accept, with
// one log line on its side: such a point is refused here, before anything starts. Without
// discovery the classes are only shown, so a warning is enough.
void check_homeassistant(const profile::SiteConfig& site, const MqttConfig& c,
                         profile::Diagnostics& diag) {
    for (const auto& dev : site.devices) {
        for (const auto& p : dev.points) {
            const bool command =
                c.commands && dev.allows_write(p) && p.format.type != codec::Type::string;
            for (const auto& rule : ha_rule_violations(p, ha_component(p, command))) {
                const std::string what = "device " + dev.name + ", point " + p.name + ": " + rule;
                if (c.homeassistant)
                    diag.error(p.file, p.json_path, what);
                else
                    diag.warning(p.file, p.json_path, what);
            }
        }
    }
}

}  // namespace

const char* domoticz_type_name(DomoticzType t) {
    for (const auto& entry : type_table()) {
        if (entry.type == t) return entry.name;
    }
    return "custom";
}

std::optional<MqttConfig> parse_mqtt_config(const profile::SiteConfig& site,
                                            profile::Diagnostics& diag) {
    const std::size_t before = diag.errors().size();
    bool any_domoticz = false;
    for (const auto& d : site.devices) any_domoticz = any_domoticz || !d.domoticz.is_null();
    if (site.mqtt.is_null()) {
        if (any_domoticz)
            diag.error(site.file, "/mqtt",
                       "devices have \"domoticz\" mappings but there is no \"mqtt\" section");
        return std::nullopt;
    }
    MqttConfig c;
    JsonReader r(site.mqtt, site.file, "/mqtt", diag);
    if (!r.is_object()) return std::nullopt;
    if (auto b = r.string("broker")) {
        c.broker = *b;
        if (!(c.broker.starts_with("tcp://") || c.broker.starts_with("ssl://") ||
              c.broker.starts_with("mqtt://") || c.broker.starts_with("mqtts://"))) {
            r.error("broker",
                    "\"" + c.broker +
                        "\" is not a broker URI (expected tcp://host:1883 or ssl://host:8883)");
        }
    } else if (!r.has("broker")) {
        r.error_here("the mqtt section needs a \"broker\" such as \"tcp://localhost:1883\"");
    }
    if (auto v = r.string("client_id")) c.client_id = *v;
    if (auto v = r.string("username")) c.username = *v;
    if (r.has("password")) {
        r.get("password");
        r.error("password",
                "put the password in a file (\"password_file\") or the environment "
                "(\"password_env\"), not in the configuration");
    }
    if (auto f = r.string("password_file")) c.password = read_secret_file(*f, r, "password_file");
    if (auto e = r.string("password_env")) {
        const char* value = std::getenv(e->c_str());
        if (!value)
            r.error("password_env", "the environment variable " + *e + " is not set");
        else
            c.password = value;
    }
    if (const Json* tls = r.get("tls")) {
        JsonReader tr(*tls, site.file, "/mqtt/tls", diag);
        TlsConfig t;
        t.ca_file = tr.string("ca").value_or("");
        t.cert_file = tr.string("cert").value_or("");
        t.key_file = tr.string("key").value_or("");
        if (auto v = tr.boolean("verify")) t.verify = *v;
        for (const auto* path : {&t.ca_file, &t.cert_file, &t.key_file}) {
            if (!path->empty() && !std::filesystem::exists(*path))
                tr.error_here("file \"" + *path + "\" does not exist");
        }
        tr.reject_unknown("ca, cert, key, verify");
        c.tls = t;
    }
    if (auto k = r.duration("keepalive"))
        c.keepalive = std::chrono::duration_cast<std::chrono::seconds>(*k);
    if (auto d = r.duration("batch_delay")) {
        if (*d > std::chrono::seconds(1))
            r.error("batch_delay", "at most 1s (a message waits this long for others to go out with it)");
        else
            c.batch_delay = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    }
    if (auto q = r.integer("qos", 0, 2)) c.qos = static_cast<int>(*q);
    if (auto t = r.string("base_topic")) {
        c.base_topic = *t;
        if (c.base_topic.empty() || c.base_topic.find_first_of("#+") != std::string::npos) {
            r.error("base_topic",
                    "\"" + c.base_topic + "\" is not a topic prefix (no wildcards, not empty)");
        }
    }
    if (auto v = r.boolean("plain_topics")) c.plain_topics = *v;
    if (auto v = r.boolean("retain")) c.retain_plain = *v;
    if (auto v = r.boolean("state_topic")) c.state_topic = *v;
    if (auto v = r.string("domoticz_topic")) c.domoticz_topic = *v;
    if (auto v = r.string("domoticz_out_topic")) c.domoticz_out_topic = *v;
    if (auto v = r.boolean("commands")) c.commands = *v;
    if (const Json* ha = r.get("homeassistant")) {
        if (ha->is_boolean()) {
            c.homeassistant = ha->get<bool>();
        } else {
            JsonReader hr(*ha, site.file, "/mqtt/homeassistant", diag);
            c.homeassistant = hr.boolean("enabled").value_or(true);
            if (auto p = hr.string("discovery_prefix")) c.discovery_prefix = *p;
            if (auto n = hr.string("node_id")) {
                c.node_id = *n;
                const bool ok = !n->empty() && std::all_of(n->begin(), n->end(), [](char ch) {
                    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
                });
                if (!ok)
                    hr.error("node_id",
                             "\"" + *n + "\" is not a node id (letters, digits, _ and -)");
            }
            hr.reject_unknown("enabled, discovery_prefix, node_id");
        }
    }
    const auto config_path = std::filesystem::path(site.file);
    c.outbox_path = state_file(site.file, config_path.stem().string() + ".outbox.db");
    if (const Json* outbox = r.get("outbox")) {
        JsonReader orr(*outbox, site.file, "/mqtt/outbox", diag);
        if (auto p = orr.string("path")) c.outbox_path = state_file(site.file, *p);
        if (auto m = orr.integer("max_messages", 100, 100'000'000))
            c.outbox_max_messages = static_cast<std::size_t>(*m);
        orr.reject_unknown("path, max_messages");
    }
    r.reject_unknown(
        "broker, client_id, username, password_file, password_env, tls, keepalive, batch_delay, qos, "
        "base_topic, "
        "plain_topics, retain, state_topic, domoticz_topic, domoticz_out_topic, commands, "
        "homeassistant, outbox");
    for (const auto& dev : site.devices) parse_domoticz(dev, site.file, diag, c);
    check_homeassistant(site, c, diag);
    if (diag.errors().size() != before) return std::nullopt;
    return c;
}

}  // namespace regpoll::sink
