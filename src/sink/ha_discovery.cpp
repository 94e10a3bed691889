// Home Assistant discovery configs, read as HA's MQTT integration reads them
// (homeassistant/components/mqtt/: entity.py, sensor.py, number.py, select.py, switch.py).
#include <cctype>
#include <cmath>

#include "sink/ha_rules.hpp"
#include "sink/message_json.hpp"
#include "sink/mqtt_messages.hpp"

namespace regpoll::sink {
namespace {

// Home Assistant and Domoticz accept [a-zA-Z0-9_-] in node and object ids.
std::string id_safe(const std::string& s) {
    std::string out = s;
    for (char& c : out) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    }
    return out;
}

// An entity id's object part: lower case letters, digits and single underscores, none at
// either end (HA's valid_entity_id).
std::string entity_slug(const std::string& s) {
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        const char l = std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
        if (l == '_' && (out.empty() || out.back() == '_')) continue;
        out += l;
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

std::string title(const std::string& name) {
    std::string out = name;
    for (char& c : out)
        if (c == '_') c = ' ';
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

// value_json['name'] works for every point name (value_json.values is a dict method,
// value_json.2nd a syntax error); a point the state does not hold yet renders "None", which
// HA reads as unknown rather than warning about the template.
std::string key_of(const std::string& point) {
    std::string quoted;
    for (char c : point) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
    return "'" + quoted + "'";
}
std::string missing(const std::string& point) {
    return key_of(point) + " not in value_json or value_json[" + key_of(point) + "] is none";
}
std::string value_template(const std::string& point) {
    return "{{ 'None' if " + missing(point) + " else value_json[" + key_of(point) + "] }}";
}
// Not available (null) is unknown, not OFF.
std::string on_off_template(const std::string& point) {
    return "{% if " + missing(point) + " %}None{% elif value_json[" + key_of(point) +
           "] %}ON{% else %}OFF{% endif %}";
}
// A partly mapped number: the state holds the map's text for the raw values it names.
std::string mapped_number_template(const profile::Point& p) {
    OJson raw_of = OJson::object();
    for (const auto& [raw, text] : p.map) raw_of[text] = raw;
    return "{% set v = None if " + missing(p.name) + " else value_json[" + key_of(p.name) +
           "] %}{{ 'None' if v is none else " + dump(raw_of) + ".get(v, v) }}";
}
std::string texts_attribute_template(const profile::Point& p) {
    OJson texts = OJson::object();
    for (const auto& [raw, text] : p.map) texts[std::to_string(raw)] = text;
    return "{{ {\"texts\": " + dump(texts) + "} | tojson }}";
}

// The range a number entity offers: the point's min/max, or what its type can hold.
std::pair<double, double> number_range(const profile::Point& p) {
    using codec::Type;
    double lo = -1e9, hi = 1e9;
    switch (p.format.type) {
        case Type::int8:
            lo = -128;
            hi = 127;
            break;
        case Type::uint8:
            lo = 0;
            hi = 255;
            break;
        case Type::int16:
            lo = -32768;
            hi = 32767;
            break;
        case Type::uint16:
            lo = 0;
            hi = 65535;
            break;
        case Type::bcd:
            lo = 0;
            hi = 9999;
            break;
        case Type::int32:
            lo = -2147483648.0;
            hi = 2147483647.0;
            break;
        case Type::uint32:
            lo = 0;
            hi = 4294967295.0;
            break;
        case Type::bcd32:
            lo = 0;
            hi = 99999999;
            break;
        default:
            break;
    }
    if (!codec::is_float_type(p.format.type) && p.scale_register.empty()) {
        lo = lo * p.format.scale + p.format.offset;
        hi = hi * p.format.scale + p.format.offset;
        if (lo > hi) std::swap(lo, hi);
    }
    return {p.min.value_or(lo), p.max.value_or(hi)};
}

double number_step(const profile::Point& p) {
    if (p.step) return *p.step;
    if (p.precision) return std::max(0.001, std::pow(10.0, -*p.precision));
    if (!codec::is_float_type(p.format.type) && p.scale_register.empty())
        return std::max(0.001, std::abs(p.format.scale));
    return 0.001;
}

void add_options(const profile::Point& p, OJson& c) {
    auto& options = c["options"] = OJson::array();
    for (const auto& [raw, text] : p.map) options.push_back(text);
}

// What the component adds: templates, command topic and payloads, range, unit and classes.
void add_kind(const profile::Point& p, HaComponent component, const std::string& set_topic,
              OJson& c) {
    const auto k = ha_classes(p, component);
    const bool on_off =
        component == HaComponent::binary_sensor || component == HaComponent::switch_;
    const bool partial_map = !p.map.empty() && !map_is_enum(p);
    c["value_template"] = on_off ? on_off_template(p.name)
                          : partial_map && component == HaComponent::number
                              ? mapped_number_template(p)
                              : value_template(p.name);
    if (partial_map) c["json_attributes_template"] = texts_attribute_template(p);
    if (component != HaComponent::sensor && component != HaComponent::binary_sensor)
        c["command_topic"] = set_topic;
    if (component == HaComponent::switch_) {
        c["payload_on"] = "ON";
        c["payload_off"] = "OFF";
    } else if (component == HaComponent::select) {
        add_options(p, c);
    } else if (component == HaComponent::number) {
        const auto [lo, hi] = number_range(p);
        c["min"] = lo;
        c["max"] = hi;
        c["step"] = number_step(p);
        c["mode"] = "box";
    }
    if (!k.unit.empty()) c["unit_of_measurement"] = k.unit;
    if (!k.device_class.empty()) c["device_class"] = k.device_class;
    if (k.device_class == "enum") add_options(p, c);
    if (!k.state_class.empty()) c["state_class"] = k.state_class;
    if (p.precision && component == HaComponent::sensor && k.device_class != "enum") {
        c["suggested_display_precision"] = *p.precision;
    }
}

// A write-only point's control: no state topic or templates reading it, so Home Assistant
// shows the value last sent (an MQTT number, select or switch without a state_topic is
// optimistic) rather than waiting for a state that never comes.
void without_state(OJson& c) {
    for (const char* key : {"state_topic", "value_template", "json_attributes_topic",
                            "json_attributes_template", "state_class"})
        c.erase(key);
}

}  // namespace

std::vector<Message> MessageBuilder::discovery() const {
    std::vector<Message> out;
    if (!config_.homeassistant) return out;
    const std::string node_id = config_.node_id.empty() ? config_.base_topic : config_.node_id;
    for (const auto& dev : site_->devices) {
        const std::string node = id_safe(node_id + "_" + dev.name);
        const std::string dev_topic = config_.base_topic + "/" + dev.name;
        OJson device;
        device["identifiers"] = OJson::array({node});
        device["name"] = dev.name;
        if (!dev.manufacturer.empty()) device["manufacturer"] = dev.manufacturer;
        if (!dev.model.empty()) device["model"] = dev.model;
        for (const auto& p : dev.points) {
            const bool command =
                config_.commands && dev.allows_write(p) && p.format.type != codec::Type::string;
            // A write-only point never has a state: a control for it, or nothing at all.
            if (!p.readable && !command) continue;
            const auto component = ha_component(p, command);
            const std::string kind = ha_component_name(component);
            OJson c;
            c["name"] = title(p.name);
            c["unique_id"] = node + "_" + id_safe(p.name);
            c["default_entity_id"] = kind + "." + entity_slug(node + "_" + p.name);
            c["state_topic"] = dev_topic + "/state";
            if (!p.map.empty() && !map_is_enum(p))
                c["json_attributes_topic"] = dev_topic + "/state";
            add_kind(p, component, dev_topic + "/" + p.name + "/set", c);
            if (!p.readable) without_state(c);
            if (auto category = ha_entity_category(p, component); !category.empty())
                c["entity_category"] = category;
            // Unavailable when regpoll is gone (its last will on <base>/status) or the device is.
            c["availability"] = OJson::array(
                {OJson{{"topic", status_topic()}}, OJson{{"topic", dev_topic + "/availability"}}});
            c["availability_mode"] = "all";
            c["device"] = device;
            c["origin"] = OJson{{"name", "regpoll"}, {"sw_version", version_}};
            out.push_back({config_.discovery_prefix + "/" + kind + "/" + node + "/" +
                               id_safe(p.name) + "/config",
                           dump(c), 1, true, MessageClass::discovery});
        }
    }
    return out;
}

}  // namespace regpoll::sink
