// Domoticz: the domoticz/in updates regpoll sends and the domoticz/out changes it takes.
// Domoticz file:line references are at domoticz/domoticz 85308e9 (see README, Domoticz).
#include <charconv>
#include <cmath>

#include "codec/value.hpp"
#include "sink/message_json.hpp"
#include "sink/mqtt_messages.hpp"

namespace regpoll::sink {
namespace {

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

std::string integer_text(double d) {
    return std::to_string(static_cast<long long>(std::llround(d)));
}

std::optional<DomoticzUpdate> fields(std::span<const std::optional<double>> numbers, bool integers,
                                     bool non_negative) {
    DomoticzUpdate u;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        if (!numbers[i]) return std::nullopt;
        const double v = non_negative ? std::max(0.0, *numbers[i]) : *numbers[i];
        u.svalue += (i ? ";" : "") + (integers ? integer_text(v) : number_text(v));
    }
    return u;
}

}  // namespace

std::optional<DomoticzUpdate> domoticz_update(DomoticzType type,
                                              std::span<const codec::Value> values,
                                              std::span<const std::string> units) {
    for (const auto& v : values) {
        if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
    }
    std::vector<std::optional<double>> n;
    for (std::size_t i = 0; i < values.size(); ++i) {
        auto d = codec::to_double(values[i]);
        n.push_back(d ? std::optional(to_base_unit(*d, units[i])) : std::nullopt);
    }
    DomoticzUpdate u;
    switch (type) {
        case DomoticzType::text:
            u.svalue = plain_text(values[0]);
            return u;
        case DomoticzType::switch_:
            if (!n[0]) return std::nullopt;
            u.nvalue = *n[0] != 0 ? 1 : 0;
            return u;
        case DomoticzType::alert:
            u.nvalue = n[0] ? static_cast<int>(std::clamp(std::llround(*n[0]), 0LL, 4LL)) : 0;
            u.svalue = plain_text(values[0]);
            return u;
        case DomoticzType::kwh:  // POWER;ENERGY in W and Wh (SQLHelper.cpp:6961-6975)
            return fields(n, false, false);
        case DomoticzType::p1:  // six std::stoull fields: Wh counters, then W
                                // (SQLHelper.cpp:7156-7176)
            return fields(n, true, true);
        case DomoticzType::counter:  // an integer count, std::stoll (SQLHelper.cpp:7036); energy in
                                     // Wh
            return fields(n, true, false);
        case DomoticzType::current3:
            return fields(n, false, false);
        default: {  // custom, temperature, voltage, current, percentage, setpoint: the value as
                    // read
            auto d = codec::to_double(values[0]);
            if (!d) return std::nullopt;
            u.svalue = number_text(*d);
            return u;
        }
    }
}

std::optional<int> selector_level(const DomoticzMapping& m, const codec::Value& value) {
    for (std::size_t i = 0; i < m.levels.size(); ++i) {
        bool match = false;
        if (auto* t = std::get_if<std::string>(&value))
            match = *t == m.level_texts[i];
        else if (auto* n = std::get_if<std::int64_t>(&value))
            match = *n == m.levels[i];
        else if (auto* u = std::get_if<std::uint64_t>(&value))
            match = static_cast<std::int64_t>(*u) == m.levels[i];
        else if (auto* b = std::get_if<bool>(&value))
            match = (*b ? 1 : 0) == m.levels[i];
        if (match) return static_cast<int>(i * 10);
    }
    return std::nullopt;
}

// The update a mapping's points call for now; nullopt when one is missing or not available.
std::optional<DomoticzUpdate> MessageBuilder::domoticz_state(const DomoticzMapping& m,
                                                             const DeviceCache& cache) const {
    std::vector<codec::Value> values;
    std::vector<std::string> units;
    for (const auto& name : m.points) {
        const std::size_t i = point_index(cache, name);
        if (i >= cache.values.size()) return std::nullopt;
        values.push_back(cache.values.get(i));
        units.push_back(cache.device->points[i].unit);
    }
    if (m.type == DomoticzType::selector) {
        if (auto level = selector_level(m, values[0]))
            return DomoticzUpdate{0, std::to_string(*level), level};
        return std::nullopt;
    }
    return domoticz_update(m.type, values, units);
}

// Sent when a mapped point was read and the update differs from the last one sent, or the
// mapping's heartbeat has passed: every poll would run Domoticz's event scripts, and a
// selector's level action, each cycle (mainworker.cpp:10320 -> SQLHelper.cpp:5582).
void MessageBuilder::domoticz_messages(const DeviceCache& cache, const std::vector<bool>& updated,
                                       std::vector<Message>& out) {
    for (std::size_t k = 0; k < config_.domoticz.size(); ++k) {
        const auto& m = config_.domoticz[k];
        if (m.device != cache.device->name) continue;
        bool touched = false;
        for (const auto& name : m.points) {
            const std::size_t i = point_index(cache, name);
            touched = touched || (i < updated.size() && updated[i]);
        }
        if (!touched) continue;
        const auto update = domoticz_state(m, cache);
        if (!update) continue;
        auto& sent = domoticz_sent_[k];
        if (sent && sent->update == *update &&
            (m.heartbeat.count() <= 0 ||
             cache.ts - sent->ts < static_cast<std::int64_t>(m.heartbeat.count()))) {
            continue;
        }
        sent = Sent{*update, cache.ts};
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
        out.push_back(
            {config_.domoticz_topic, dump(j), config_.qos, false, MessageClass::domoticz});
    }
}

namespace {

std::optional<std::string> text_field(const nlohmann::json& j, const char* key) {
    if (!j.contains(key)) return std::nullopt;
    if (j[key].is_string()) return j[key].get<std::string>();
    if (j[key].is_number()) return j[key].dump();
    return std::nullopt;
}

std::optional<double> parse_double(const std::string& text) {
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return d;
}

// What a domoticz/out message asks of a switch, selector or setpoint mapping: the payload to
// write, and the update regpoll would send for the state asked for (to compare with now).
struct Asked {
    std::string payload;
    DomoticzUpdate as_update;
};

std::optional<Asked> asked(const DomoticzMapping& m, const nlohmann::json& j, std::string& why) {
    const std::string idx = "idx " + std::to_string(m.idx);
    switch (m.type) {
        case DomoticzType::switch_: {
            // General-switch commands (hardwaretypes.h:202-208): 0 off, 1 on, 3 group off, 4 group
            // on.
            const auto n = j.contains("nvalue") && j["nvalue"].is_number_integer()
                               ? j["nvalue"].get<std::int64_t>()
                               : -1;
            if (n != 0 && n != 1 && n != 3 && n != 4) {
                why = idx + ": nvalue " + (n < 0 ? std::string("missing") : std::to_string(n)) +
                      " is not off (0, 3) or on (1, 4)";
                return std::nullopt;
            }
            const int on = n == 1 || n == 4 ? 1 : 0;
            return Asked{on ? "1" : "0", DomoticzUpdate{on, "", std::nullopt}};
        }
        case DomoticzType::selector: {
            const auto level = parse_double(text_field(j, "svalue1").value_or("x"));
            if (!level || *level < 0 || *level != std::floor(*level)) {
                why = idx + ": no selector level in svalue1";
                return std::nullopt;
            }
            const int l = static_cast<int>(*level);
            if (l % 10 != 0 || static_cast<std::size_t>(l / 10) >= m.levels.size()) {
                // Written as the level itself, so the point's result topic says what is wrong.
                return Asked{"level " + std::to_string(l), DomoticzUpdate{0, "", -1}};
            }
            return Asked{std::to_string(m.levels[static_cast<std::size_t>(l / 10)]),
                         DomoticzUpdate{0, std::to_string(l), l}};
        }
        default: {  // setpoint
            auto text = text_field(j, "svalue1");
            if (!text) {
                why = idx + ": no svalue1";
                return std::nullopt;
            }
            return Asked{*text, DomoticzUpdate{0, *text, std::nullopt}};
        }
    }
}

// Domoticz stores a setpoint with two decimals (mainworker.cpp:8329): 21.50 is 21.5, and
// 21.46 is what a point at 21.456 looks like there.
bool same_setpoint(const std::string& asked, const std::string& now) {
    const auto a = parse_double(asked), n = parse_double(now);
    return a && n &&
           (std::abs(*a - *n) <= 1e-9 * std::max(1.0, std::abs(*n)) ||
            std::abs(*a - std::round(*n * 100) / 100) < 1e-9);
}

}  // namespace

std::optional<WriteCommand> MessageBuilder::domoticz_command(const std::string& payload,
                                                             std::string& why) const {
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
    auto a = asked(*m, j, why);
    if (!a) return std::nullopt;
    // Domoticz's "Prevent Loop" (default Yes, MQTT.cpp:302/:805) keeps regpoll's own updates
    // from coming back. Without it they do: a message asking for the state the point has, with
    // no write of it on its way, changes nothing and is not written again. Anything else is
    // someone's command, even if it equals what regpoll last sent (Off, On, Off).
    const auto it = cache_.find(m->device);
    if (!write_pending(m->device, m->points[0]) && it != cache_.end()) {
        const auto now = domoticz_state(*m, it->second);
        const bool same = now && (m->type == DomoticzType::setpoint
                                      ? same_setpoint(a->as_update.svalue, now->svalue)
                                      : *now == a->as_update);
        if (same) {
            why = "idx " + std::to_string(idx) + ": point " + m->points[0] +
                  " already has that value";
            return std::nullopt;
        }
    }
    return WriteCommand{m->device, m->points[0], a->payload,
                        "Domoticz idx " + std::to_string(m->idx)};
}

}  // namespace regpoll::sink
