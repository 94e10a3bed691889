#include "sink/mqtt_messages.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "codec/value.hpp"
#include "poll/value_json.hpp"

namespace regpoll::sink {
namespace {

using OJson = nlohmann::ordered_json;

std::string dump(const OJson& j) { return j.dump(-1, ' ', false, OJson::error_handler_t::replace); }

// Home Assistant and Domoticz accept [a-zA-Z0-9_-] in node and object ids.
std::string id_safe(const std::string& s) {
    std::string out = s;
    for (char& c : out) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
    }
    return out;
}

std::string title(const std::string& name) {
    std::string out = name;
    for (char& c : out) if (c == '_') c = ' ';
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

// Domoticz reads svalue fields with atof/stoull: plain decimals, never exponents.
std::string number_text(double d) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    return ec == std::errc{} ? std::string(buf, end) : std::to_string(d);
}

// Energy in Wh and power in W, from the point's unit.
double to_base_unit(double v, const std::string& unit) {
    if (unit == "kWh" || unit == "kW") return v * 1000.0;
    if (unit == "MWh" || unit == "MW") return v * 1e6;
    return v;
}

}  // namespace

std::string plain_text(const codec::Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return "null";
    if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return codec::format_value(v);
}

std::optional<DomoticzUpdate> domoticz_update(DomoticzType type, std::span<const codec::Value> values,
                                              std::span<const std::string> units) {
    for (const auto& v : values) {
        if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
    }
    auto number = [&](std::size_t i) { return codec::to_double(values[i]); };
    DomoticzUpdate u;
    switch (type) {
        case DomoticzType::text:
            u.svalue = plain_text(values[0]);
            return u;
        case DomoticzType::switch_: {
            auto n = number(0);
            if (!n) return std::nullopt;
            u.nvalue = *n != 0 ? 1 : 0;
            return u;
        }
        case DomoticzType::alert: {
            auto n = number(0);
            u.nvalue = n ? static_cast<int>(std::clamp(std::llround(*n), 0LL, 4LL)) : 0;
            u.svalue = plain_text(values[0]);
            return u;
        }
        case DomoticzType::kwh: {
            auto power = number(0), energy = number(1);
            if (!power || !energy) return std::nullopt;
            u.svalue = number_text(to_base_unit(*power, units[0])) + ";" + number_text(to_base_unit(*energy, units[1]));
            return u;
        }
        case DomoticzType::p1: {
            // Domoticz parses these six fields as unsigned integers: Wh counters, then W.
            std::string s;
            for (std::size_t i = 0; i < 6; ++i) {
                auto n = number(i);
                if (!n) return std::nullopt;
                const double base = to_base_unit(*n, units[i]);
                s += (i ? ";" : "") + std::to_string(static_cast<long long>(std::llround(std::max(0.0, base))));
            }
            u.svalue = s;
            return u;
        }
        case DomoticzType::current3: {
            std::string s;
            for (std::size_t i = 0; i < 3; ++i) {
                auto n = number(i);
                if (!n) return std::nullopt;
                s += (i ? ";" : "") + number_text(*n);
            }
            u.svalue = s;
            return u;
        }
        default: {  // custom, temperature, voltage, current, percentage, counter
            auto n = number(0);
            if (!n) return std::nullopt;
            u.svalue = number_text(*n);
            return u;
        }
    }
}

MessageBuilder::MessageBuilder(MqttConfig config, std::shared_ptr<const profile::SiteConfig> site, std::string version)
    : config_(std::move(config)), site_(std::move(site)), version_(std::move(version)) {
    for (const auto& dev : site_->devices) {
        auto& c = cache_[dev.name];
        c.device = &dev;
        c.values.resize(dev.points.size());
        c.seen.resize(dev.points.size(), false);
    }
}

std::size_t MessageBuilder::point_index(const DeviceCache& cache, const std::string& point) const {
    const auto& pts = cache.device->points;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        if (pts[i].name == point) return i;
    }
    return pts.size();
}

void MessageBuilder::samples(std::span<const poll::Sample> samples, std::vector<Message>& out) {
    if (samples.empty()) return;
    auto it = cache_.find(*samples.front().device);
    if (it == cache_.end()) return;
    auto& cache = it->second;
    const std::string prefix = config_.base_topic + "/" + cache.device->name + "/";
    std::vector<bool> updated(cache.values.size(), false);
    for (const auto& s : samples) {
        const std::size_t i = point_index(cache, *s.point);
        if (i >= cache.values.size()) continue;
        cache.values[i] = s.value;
        cache.seen[i] = true;
        updated[i] = true;
        cache.ts = std::max(cache.ts, s.ts_ms);
        if (config_.plain_topics) {
            out.push_back({prefix + *s.point, plain_text(s.value), config_.qos, config_.retain_plain, MessageClass::plain});
        }
    }
    if (config_.state_topic) {
        OJson state;
        state["ts"] = cache.ts;
        for (std::size_t i = 0; i < cache.values.size(); ++i) {
            if (cache.seen[i]) state[cache.device->points[i].name] = poll::value_to_json(cache.values[i]);
        }
        out.push_back({prefix + "state", dump(state), config_.qos, false, MessageClass::state});
    }
    for (const auto& m : config_.domoticz) {
        if (m.device != cache.device->name) continue;
        bool touched = false;
        std::vector<codec::Value> values;
        std::vector<std::string> units;
        for (const auto& name : m.points) {
            const std::size_t i = point_index(cache, name);
            if (i >= cache.values.size()) break;
            touched = touched || updated[i];
            values.push_back(cache.values[i]);
            units.push_back(cache.device->points[i].unit);
        }
        if (!touched || values.size() != m.points.size()) continue;
        std::optional<DomoticzUpdate> update;
        if (m.type == DomoticzType::selector) {
            if (auto level = selector_level(m, values[0])) update = DomoticzUpdate{0, std::to_string(*level), level};
        } else {
            update = domoticz_update(m.type, values, units);
        }
        if (!update) continue;
        OJson j;
        if (update->level) {
            j["command"] = "switchlight";
            j["idx"] = m.idx;
            j["switchcmd"] = "Set Level";
            j["level"] = *update->level;
        } else {
            j["idx"] = m.idx;
            j["nvalue"] = update->nvalue;
            j["svalue"] = update->svalue;
        }
        domoticz_sent_[m.idx] = *update;
        out.push_back({config_.domoticz_topic, dump(j), config_.qos, false, MessageClass::domoticz});
    }
}

Message MessageBuilder::availability(const std::string& device, bool online) const {
    return {config_.base_topic + "/" + device + "/availability", online ? "online" : "offline", config_.qos, true,
            MessageClass::availability};
}

Message MessageBuilder::status(bool online) const {
    return {status_topic(), online ? "online" : "offline", config_.qos, true, MessageClass::status};
}

std::optional<int> selector_level(const DomoticzMapping& m, const codec::Value& value) {
    for (std::size_t i = 0; i < m.levels.size(); ++i) {
        bool match = false;
        if (auto* t = std::get_if<std::string>(&value)) match = *t == m.level_texts[i];
        else if (auto* n = std::get_if<std::int64_t>(&value)) match = *n == m.levels[i];
        else if (auto* u = std::get_if<std::uint64_t>(&value)) match = static_cast<std::int64_t>(*u) == m.levels[i];
        else if (auto* b = std::get_if<bool>(&value)) match = (*b ? 1 : 0) == m.levels[i];
        if (match) return static_cast<int>(i * 10);
    }
    return std::nullopt;
}

std::vector<std::string> MessageBuilder::command_filters() const {
    std::vector<std::string> out;
    if (!config_.commands) return out;
    out.push_back(config_.base_topic + "/+/+/set");
    for (const auto& m : config_.domoticz) {
        if (is_command_type(m.type)) {
            out.push_back(config_.domoticz_out_topic);
            break;
        }
    }
    return out;
}

std::optional<std::pair<std::string, std::string>> MessageBuilder::command_target(const std::string& topic) const {
    const std::string prefix = config_.base_topic + "/";
    const std::string suffix = "/set";
    if (topic.size() <= prefix.size() + suffix.size() || !topic.starts_with(prefix) || !topic.ends_with(suffix)) {
        return std::nullopt;
    }
    const auto middle = topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
    const auto slash = middle.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == middle.size() ||
        middle.find('/', slash + 1) != std::string::npos) {
        return std::nullopt;
    }
    return std::make_pair(middle.substr(0, slash), middle.substr(slash + 1));
}

std::optional<WriteCommand> MessageBuilder::domoticz_command(const std::string& payload, std::string& why) const {
    why.clear();
    const auto j = nlohmann::json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        why = "not a JSON object";
        return std::nullopt;
    }
    if (!j.contains("idx") || !j["idx"].is_number_integer()) {
        why = "no idx";
        return std::nullopt;
    }
    const auto idx = j["idx"].get<std::int64_t>();
    const DomoticzMapping* m = nullptr;
    for (const auto& candidate : config_.domoticz) {
        if (candidate.idx == idx && is_command_type(candidate.type)) m = &candidate;
    }
    if (!m) return std::nullopt;  // not a device regpoll writes: nothing to say
    const auto sent = domoticz_sent_.find(m->idx);
    const bool have_sent = sent != domoticz_sent_.end();
    auto text_field = [&](const char* key) -> std::optional<std::string> {
        if (!j.contains(key)) return std::nullopt;
        if (j[key].is_string()) return j[key].get<std::string>();
        if (j[key].is_number()) return j[key].dump();
        return std::nullopt;
    };
    WriteCommand c{m->device, m->points[0], "", "Domoticz idx " + std::to_string(m->idx)};
    switch (m->type) {
        case DomoticzType::switch_: {
            if (!j.contains("nvalue") || !j["nvalue"].is_number_integer()) {
                why = "idx " + std::to_string(idx) + ": no nvalue";
                return std::nullopt;
            }
            const int on = j["nvalue"].get<std::int64_t>() != 0 ? 1 : 0;
            if (have_sent && !sent->second.level && sent->second.nvalue == on) {
                why = "idx " + std::to_string(idx) + ": the echo of regpoll's own update";
                return std::nullopt;
            }
            c.payload = on ? "1" : "0";
            return c;
        }
        case DomoticzType::selector: {
            auto text = text_field("svalue1");
            int level = -1;
            if (text) {
                auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), level);
                if (ec != std::errc{} || end != text->data() + text->size()) level = -1;
            }
            if (level < 0) {
                why = "idx " + std::to_string(idx) + ": no selector level in svalue1";
                return std::nullopt;
            }
            if (have_sent && sent->second.level == level) {
                why = "idx " + std::to_string(idx) + ": the echo of regpoll's own update";
                return std::nullopt;
            }
            if (level % 10 != 0 || static_cast<std::size_t>(level / 10) >= m->levels.size()) {
                // Written as the level itself, so the point's result topic says what is wrong.
                c.payload = "level " + std::to_string(level);
                return c;
            }
            c.payload = std::to_string(m->levels[static_cast<std::size_t>(level / 10)]);
            return c;
        }
        default: {  // setpoint
            auto text = text_field("svalue1");
            if (!text) {
                why = "idx " + std::to_string(idx) + ": no svalue1";
                return std::nullopt;
            }
            double now = 0, before = 0;
            const bool parsed = std::from_chars(text->data(), text->data() + text->size(), now).ec == std::errc{};
            if (have_sent && parsed &&
                std::from_chars(sent->second.svalue.data(), sent->second.svalue.data() + sent->second.svalue.size(), before).ec == std::errc{} &&
                std::abs(now - before) <= 1e-9 * std::max(1.0, std::abs(now))) {
                why = "idx " + std::to_string(idx) + ": the echo of regpoll's own update";
                return std::nullopt;
            }
            c.payload = *text;
            return c;
        }
    }
}

Message MessageBuilder::write_result(const std::string& device, const std::string& point,
                                     const poll::WriteOutcome& outcome) const {
    OJson j;
    poll::add_write_outcome(outcome, j);
    return {config_.base_topic + "/" + device + "/" + point + "/result", dump(j), config_.qos, false, MessageClass::state};
}

namespace {

// The range a number entity offers: the point's min/max, or what its type can hold.
std::pair<double, double> number_range(const profile::Point& p) {
    using codec::Type;
    double lo = -1e9, hi = 1e9;
    switch (p.format.type) {
        case Type::int8: lo = -128; hi = 127; break;
        case Type::uint8: lo = 0; hi = 255; break;
        case Type::int16: lo = -32768; hi = 32767; break;
        case Type::uint16: lo = 0; hi = 65535; break;
        case Type::bcd: lo = 0; hi = 9999; break;
        case Type::int32: lo = -2147483648.0; hi = 2147483647.0; break;
        case Type::uint32: lo = 0; hi = 4294967295.0; break;
        case Type::bcd32: lo = 0; hi = 99999999; break;
        default: break;
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
    if (!codec::is_float_type(p.format.type) && p.scale_register.empty()) return std::max(0.001, std::abs(p.format.scale));
    return 0.001;
}

}  // namespace

std::vector<Message> MessageBuilder::discovery() const {
    std::vector<Message> out;
    if (!config_.homeassistant) return out;
    for (const auto& dev : site_->devices) {
        const std::string node = id_safe(config_.base_topic + "_" + dev.name);
        OJson device;
        device["identifiers"] = OJson::array({node});
        device["name"] = dev.name;
        if (!dev.manufacturer.empty()) device["manufacturer"] = dev.manufacturer;
        if (!dev.model.empty()) device["model"] = dev.model;
        for (const auto& p : dev.points) {
            // A bit with a map reports its texts: an enum sensor (or a select), not ON/OFF.
            const bool binary =
                (p.format.type == codec::Type::boolean || p.bit || modbus::is_bit_kind(p.kind)) && p.map.empty();
            const bool command = config_.commands && dev.allows_write(p) && p.format.type != codec::Type::string;
            const std::string component = !command ? (binary ? "binary_sensor" : "sensor")
                                          : binary && p.map.empty() ? "switch"
                                          : !p.map.empty()          ? "select"
                                                                    : "number";
            OJson c;
            c["name"] = title(p.name);
            c["unique_id"] = node + "_" + id_safe(p.name);
            c["object_id"] = node + "_" + id_safe(p.name);
            c["state_topic"] = config_.base_topic + "/" + dev.name + "/state";
            if (binary) {
                c["value_template"] = "{{ 'ON' if value_json." + p.name + " else 'OFF' }}";
            } else {
                c["value_template"] = "{{ value_json." + p.name + " }}";
            }
            if (command) {
                c["command_topic"] = config_.base_topic + "/" + dev.name + "/" + p.name + "/set";
                if (component == "switch") {
                    c["payload_on"] = "ON";
                    c["payload_off"] = "OFF";
                } else if (component == "select") {
                    auto& options = c["options"] = OJson::array();
                    for (const auto& [raw, text] : p.map) options.push_back(text);
                } else {
                    const auto [lo, hi] = number_range(p);
                    c["min"] = lo;
                    c["max"] = hi;
                    c["step"] = number_step(p);
                    c["mode"] = "box";
                    if (!p.unit.empty()) c["unit_of_measurement"] = p.unit;
                    if (!p.device_class.empty()) c["device_class"] = p.device_class;
                }
                c["availability_topic"] = config_.base_topic + "/" + dev.name + "/availability";
                c["device"] = device;
                c["origin"] = OJson{{"name", "regpoll"}, {"sw_version", version_}};
                out.push_back({config_.discovery_prefix + "/" + component + "/" + node + "/" + id_safe(p.name) + "/config",
                               dump(c), 1, true, MessageClass::discovery});
                continue;
            }
            if (!p.unit.empty() && !binary) c["unit_of_measurement"] = p.unit;
            if (!p.device_class.empty()) {
                c["device_class"] = p.device_class;
            } else if (!p.map.empty() && !binary) {
                c["device_class"] = "enum";
                auto& options = c["options"] = OJson::array();
                for (const auto& [raw, text] : p.map) options.push_back(text);
            }
            if (!p.state_class.empty() && !binary && p.map.empty()) c["state_class"] = p.state_class;
            if (p.precision && !binary) c["suggested_display_precision"] = *p.precision;
            c["availability_topic"] = config_.base_topic + "/" + dev.name + "/availability";
            c["device"] = device;
            c["origin"] = OJson{{"name", "regpoll"}, {"sw_version", version_}};
            out.push_back({config_.discovery_prefix + "/" + component + "/" + node + "/" + id_safe(p.name) + "/config",
                           dump(c), 1, true, MessageClass::discovery});
        }
    }
    return out;
}

}  // namespace regpoll::sink
