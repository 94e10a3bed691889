#include "profile/keepalive_parser.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "codec/types.hpp"
#include "codec/value_codec.hpp"
#include "common/duration.hpp"

namespace regpoll::profile {
namespace {

bool is_bool_point(const Point& p) {
    return modbus::is_bit_kind(p.kind) || p.bit.has_value() || p.format.type == codec::Type::boolean;
}

// What is wrong with a fixed keepalive value for `p`: the kind of value the point takes, its
// map, its min/max, and what its type can hold after scale and offset.
std::optional<std::string> value_problem(const codec::Value& v, const Point& p) {
    const std::string shown = codec::format_value(v);
    const std::string of = " for point \"" + p.name + "\"";
    if (is_bool_point(p)) {
        if (std::holds_alternative<bool>(v)) return std::nullopt;
        const auto d = codec::to_double(v);
        if (d && (*d == 0 || *d == 1)) return std::nullopt;
        return shown + " is not a value" + of + " (expected true/false or 1/0)";
    }
    if (p.format.type == codec::Type::string) {
        if (!std::holds_alternative<std::string>(v)) return shown + " is not a text" + of;
    } else {
        const auto d = codec::to_double(v);
        if (!d || std::holds_alternative<std::string>(v)) return shown + " is not a number" + of;
        if (p.min && *d < *p.min) return shown + " is below the minimum " + codec::format_value(codec::Value(*p.min)) + of;
        if (p.max && *d > *p.max) return shown + " is above the maximum " + codec::format_value(codec::Value(*p.max)) + of;
        const bool in_map = p.map.count(static_cast<std::int64_t>(*d)) && *d == std::floor(*d);
        if (!p.map.empty() && !in_map && !(p.min && p.max))
            return shown + " is not one of the values the map" + of + " names";
        // An integer register would round it: refused rather than written as another value.
        const double raw = (*d - p.format.offset) / p.format.scale;
        if (codec::is_integer_type(p.format.type) && std::fabs(raw - std::round(raw)) > 1e-9 * std::max(1.0, std::fabs(raw)))
            return shown + " cannot be written" + of + ": its " + std::string(codec::type_name(p.format.type)) +
                   " register holds steps of " + codec::format_value(codec::Value(p.format.scale));
    }
    // A scale_register's exponent is only known when the device is read.
    if (!p.scale_register.empty() || p.decoder) return std::nullopt;
    if (auto encoded = codec::encode(v, p.format); !encoded)
        return shown + " cannot be written" + of + ": " + encoded.error();
    return std::nullopt;
}

// A JSON "value" as the codec value a write payload would give.
std::optional<codec::Value> json_value(const Json& j) {
    if (j.is_boolean()) return codec::Value(j.get<bool>());
    if (j.is_number_unsigned()) return codec::Value(j.get<std::uint64_t>());
    if (j.is_number_integer()) return codec::Value(j.get<std::int64_t>());
    if (j.is_number_float()) return codec::Value(j.get<double>());
    if (j.is_string()) return codec::Value(j.get<std::string>());
    return std::nullopt;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> keepalive_problem(
    const Keepalive& k, const std::vector<Point>& points, const Limits& limits) {
    auto p = std::find_if(points.begin(), points.end(),
                          [&](const Point& q) { return q.name == k.point; });
    if (p == points.end()) return std::pair{"point", "no point \"" + k.point + "\" to keep alive"};
    if (!p->writable)
        return std::pair{
            "point", "point \"" + k.point + "\" is not writable, so there is nothing to rewrite"};
    if (k.every.count() <= 0)
        return std::pair{"every", std::string("the period must be longer than 0")};
    if (limits.write_watchdog && k.every >= *limits.write_watchdog) {
        return std::pair{"every", "\"" + format_duration(k.every) +
                                      "\" is not shorter than the device's write_watchdog (" +
                                      format_duration(*limits.write_watchdog) +
                                      "): the device would fall back before each rewrite"};
    }
    if (k.value) {
        if (auto why = value_problem(*k.value, *p)) return std::pair{"value", *why};
    }
    return std::nullopt;
}

namespace {

// One {"point", "every", "value"} entry, read but not yet checked against the device. With
// `off_allowed` (a site's entry), "every": "off" gives a period of 0: no keepalive for the point.
std::optional<Keepalive> read_entry(JsonReader& r, bool off_allowed, bool& off) {
    off = false;
    if (!r.is_object()) return std::nullopt;
    Keepalive k;
    auto point = r.string("point");
    std::optional<Milliseconds> every;
    if (const Json* e = off_allowed ? r.get("every") : nullptr; e && e->is_string() && e->get<std::string>() == "off") {
        off = true;
    } else {
        every = r.duration("every");
    }
    if (const Json* value = r.get("value")) {
        k.value = json_value(*value);
        if (!k.value) {
            r.error("value", "expected a number, true/false or a text to write, found " + shown(*value));
            return std::nullopt;
        }
    }
    r.reject_unknown("point, every, value");
    if (!point) {
        if (!r.has("point")) r.error_here("a keepalive needs the \"point\" to rewrite");
        return std::nullopt;
    }
    k.point = *point;
    if (off) return k;
    if (!every) {
        if (!r.has("every"))
            r.error_here(std::string("a keepalive needs \"every\": how often to rewrite, such as \"25s\"") +
                         (off_allowed ? ", or \"off\"" : ""));
        return std::nullopt;
    }
    k.every = *every;
    return k;
}

bool listed(const std::vector<Keepalive>& list, const std::string& point) {
    return std::any_of(list.begin(), list.end(), [&](const Keepalive& o) { return o.point == point; });
}

}  // namespace

std::vector<Keepalive> parse_keepalive(const Json& list, const std::vector<Point>& points,
                                       const Limits& limits, const std::string& file,
                                       const std::string& json_path, Diagnostics& diag) {
    std::vector<Keepalive> out;
    if (!list.is_array() || list.empty()) {
        diag.error(
            file, json_path,
            "expected a non-empty list of {\"point\": ..., \"every\": ...}, found " + shown(list));
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        JsonReader r(list[i], file, json_path + "/" + std::to_string(i), diag);
        bool off = false;
        auto k = read_entry(r, false, off);
        if (!k) continue;
        if (auto problem = keepalive_problem(*k, points, limits)) {
            r.error(problem->first, problem->second);
            continue;
        }
        if (listed(out, k->point)) {
            r.error("point", "point \"" + k->point + "\" is kept alive twice");
            continue;
        }
        out.push_back(std::move(*k));
    }
    return out;
}

std::vector<Keepalive> apply_site_keepalive(const Json& list, std::vector<Keepalive> kept,
                                            const std::vector<Point>& points, const Limits& limits,
                                            const std::string& file, const std::string& json_path,
                                            Diagnostics& diag) {
    if (!list.is_array()) {
        diag.error(file, json_path,
                   "expected a list of {\"point\": ..., \"every\": ...} (or [] for none), found " + shown(list));
        return kept;
    }
    if (list.empty()) return {};
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        JsonReader r(list[i], file, json_path + "/" + std::to_string(i), diag);
        bool off = false;
        auto k = read_entry(r, true, off);
        if (!k) continue;
        if (std::find(seen.begin(), seen.end(), k->point) != seen.end()) {
            r.error("point", "point \"" + k->point + "\" is listed twice");
            continue;
        }
        seen.push_back(k->point);
        auto same = std::find_if(kept.begin(), kept.end(), [&](const Keepalive& o) { return o.point == k->point; });
        if (off) {
            if (same != kept.end()) kept.erase(same);
            continue;
        }
        // An entry without "value" keeps the profile's fixed value, if it has one.
        if (!k->value && same != kept.end()) k->value = same->value;
        if (auto problem = keepalive_problem(*k, points, limits)) {
            r.error(problem->first, problem->second);
            if (same != kept.end()) kept.erase(same);  // reported here, not again as the profile's
            continue;
        }
        if (same != kept.end()) {
            *same = std::move(*k);
        } else {
            kept.push_back(std::move(*k));
        }
    }
    return kept;
}

}  // namespace regpoll::profile
