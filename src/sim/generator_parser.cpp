#include "sim/generator_parser.hpp"

#include <algorithm>
#include <cmath>

namespace regpoll::sim {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::Point;
using profile::shown;

bool is_bit_point(const Point& p) {
    return modbus::is_bit_kind(p.kind) || p.bit.has_value() ||
           p.format.type == codec::Type::boolean;
}

bool is_scale_factor(const Point& p, const std::vector<Point>& points) {
    return std::any_of(points.begin(), points.end(),
                       [&](const Point& q) { return q.scale_register == p.name; });
}

std::optional<codec::Value> json_value(const Json& v) {
    if (v.is_boolean()) return codec::Value(v.get<bool>());
    if (v.is_number_integer()) return codec::Value(v.get<std::int64_t>());
    if (v.is_number_unsigned()) return codec::Value(v.get<std::uint64_t>());
    if (v.is_number_float() && std::isfinite(v.get<double>())) return codec::Value(v.get<double>());
    if (v.is_string()) return codec::Value(v.get<std::string>());
    return std::nullopt;
}

// A value for `point`: numbers and bools anywhere but strings; texts for strings and
// mapped points (one of the map's texts).
bool check_value(JsonReader& r, const std::string& key, const codec::Value& v, const Point& p) {
    const auto* text = std::get_if<std::string>(&v);
    if (p.format.type == codec::Type::string) return true;
    if (text && p.map.empty()) {
        r.error(key, "\"" + *text + "\" is not a number (point \"" + p.name + "\" is " +
                         std::string(codec::type_name(p.format.type)) + ")");
        return false;
    }
    if (text) {
        const bool known = std::any_of(p.map.begin(), p.map.end(),
                                       [&](const auto& kv) { return kv.second == *text; });
        if (!known) {
            std::string texts;
            for (const auto& [k, t] : p.map) texts += (texts.empty() ? "" : ", ") + shown(Json(t));
            r.error(key, shown(Json(*text)) + " is not one of the map's texts (" + texts + ")");
            return false;
        }
    }
    return true;
}

GeneratorSpec base_for(GeneratorKind kind, const Point& p, const std::vector<Point>& points,
                       const DeviceFacts& facts) {
    GeneratorSpec d = default_generator(p, points, facts);
    if (d.kind == kind) return d;
    GeneratorSpec s;
    s.kind = kind;
    s.min = p.min;
    s.max = p.max;
    if (kind == GeneratorKind::solar) s.peak = p.max.value_or(3000);
    if (kind == GeneratorKind::energy) {
        s.source = main_power_point(points);
        for (const auto& q : points) {
            if (q.name == s.source) s.factor = energy_factor(q.unit, p.unit);
        }
    }
    if (kind == GeneratorKind::cycle) {
        for (const auto& [key, text] : p.map) s.values.emplace_back(key);
    }
    return s;
}

void read_numbers(JsonReader& r, GeneratorSpec& s, bool& ok) {
    const auto number = [&](const char* key, double& out, std::optional<double> lo,
                            std::optional<double> hi) {
        if (auto v = r.number(key)) {
            if ((lo && *v < *lo) || (hi && *v > *hi)) {
                r.error(key, shown(*r.get(key)) + " is out of range");
                ok = false;
            }
            out = *v;
        } else if (r.has(key)) {
            ok = false;
        }
    };
    switch (s.kind) {
        case GeneratorKind::random_walk:
            number("nominal", s.nominal, {}, {});
            number("spread", s.spread, 0.0, {});
            number("step", s.step, 0.0, {});
            break;
        case GeneratorKind::solar:
            number("peak", s.peak, {}, {});
            number("sunrise", s.sunrise, 0.0, 24.0);
            number("sunset", s.sunset, 0.0, 24.0);
            number("noise", s.noise, 0.0, 1.0);
            if (s.sunrise >= s.sunset) {
                r.error("sunset", "sunset (" + shown(Json(s.sunset)) + ") must be after sunrise (" +
                                      shown(Json(s.sunrise)) + ")");
                ok = false;
            }
            break;
        case GeneratorKind::energy:
            number("start", s.start, {}, {});
            number("factor", s.factor, {}, {});
            break;
        case GeneratorKind::counter:
            number("start", s.start, {}, {});
            number("rate", s.rate, {}, {});
            break;
        case GeneratorKind::derived:
            number("offset", s.offset, {}, {});
            if (auto magnitude = r.boolean("abs")) s.magnitude = *magnitude;
            break;
        default:
            break;
    }
    double bound = 0;
    if (r.has("min")) {
        number("min", bound, {}, {});
        s.min = bound;
    }
    if (r.has("max")) {
        number("max", bound, {}, {});
        s.max = bound;
    }
}

const char* keys_of(GeneratorKind kind) {
    switch (kind) {
        case GeneratorKind::constant:
            return "generator, value";
        case GeneratorKind::random_walk:
            return "generator, nominal, spread, step, min, max";
        case GeneratorKind::solar:
            return "generator, peak, sunrise, sunset, noise, min, max";
        case GeneratorKind::energy:
            return "generator, source, start, factor, daily, min, max";
        case GeneratorKind::counter:
            return "generator, start, rate, min, max";
        case GeneratorKind::cycle:
            return "generator, values, period";
        case GeneratorKind::unavailable:
            return "generator";
        case GeneratorKind::derived:
            return "generator, terms, offset, abs, min, max";
    }
    return "generator";
}

// "terms": [{"point": "inverter.ac_power", "factor": -1}, {"point": "load"}]. Whether the
// names exist is checked with the whole configuration (sim/value_order.hpp).
bool read_terms(JsonReader& r, GeneratorSpec& s) {
    const Json* list = r.get("terms");
    if (!list || !list->is_array() || list->empty()) {
        const std::string expected =
            "a derived value needs \"terms\": a non-empty list of {\"point\": …, \"factor\": …}";
        if (list) {
            r.error("terms", expected + ", found " + shown(*list));
        } else {
            r.error_here(expected);
        }
        return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
        JsonReader tr((*list)[i], r.file(), r.child_path("terms") + "/" + std::to_string(i),
                      r.diag());
        if (!tr.is_object()) {
            ok = false;
            continue;
        }
        GeneratorSpec::Term term;
        if (auto ref = tr.string("point")) {
            term.ref = *ref;
        } else {
            if (!tr.has("point"))
                tr.error_here(
                    "a term needs \"point\": a point of this device, "
                    "\"device.point\" or a signal");
            ok = false;
        }
        if (auto f = tr.number("factor")) {
            term.factor = *f;
        } else if (tr.has("factor")) {
            ok = false;
        }
        tr.reject_unknown("point, factor");
        s.terms.push_back(std::move(term));
    }
    return ok;
}

bool read_kind_specific(JsonReader& r, GeneratorSpec& s, const Point& p,
                        const std::vector<Point>& points) {
    bool ok = true;
    if (s.kind == GeneratorKind::constant) {
        if (const Json* v = r.get("value")) {
            auto value = json_value(*v);
            if (!value) {
                r.error("value", "expected a number, a text or true/false, found " + shown(*v));
                return false;
            }
            ok = check_value(r, "value", *value, p);
            s.value = std::move(*value);
        }
    }
    if (s.kind == GeneratorKind::cycle) {
        if (const Json* list = r.get("values")) {
            s.values.clear();
            if (!list->is_array() || list->empty()) {
                r.error("values", "expected a non-empty list of values, found " + shown(*list));
                return false;
            }
            for (const auto& item : *list) {
                auto value = json_value(item);
                if (!value) {
                    r.error("values", "expected numbers or texts, found " + shown(item));
                    return false;
                }
                ok = check_value(r, "values", *value, p) && ok;
                s.values.push_back(std::move(*value));
            }
        }
        if (auto period = r.duration("period")) {
            if (period->count() <= 0) {
                r.error("period", "a period must be longer than 0");
                ok = false;
            }
            s.period = *period;
        } else if (r.has("period")) {
            ok = false;
        }
        if (s.values.empty()) {
            r.error_here("a cycle needs \"values\" (the point has no map to take them from)");
            ok = false;
        }
    }
    if (s.kind == GeneratorKind::energy) {
        if (auto src = r.string("source")) s.source = *src;
        if (auto daily = r.boolean("daily")) s.daily = *daily;
        const auto source = std::find_if(points.begin(), points.end(),
                                         [&](const Point& q) { return q.name == s.source; });
        if (s.source.empty()) {
            r.error_here("an energy counter needs a \"source\" (the device has no power point)");
            ok = false;
        } else if (source == points.end() || source->name == p.name) {
            r.error("source", "no other point named " + shown(Json(s.source)) + " to integrate");
            ok = false;
        }
    }
    if (s.kind == GeneratorKind::derived) ok = read_terms(r, s) && ok;
    if (s.kind == GeneratorKind::unavailable && (p.nan.empty() || is_bit_point(p))) {
        r.error("generator", "point \"" + p.name +
                                 "\" has no \"nan\" sentinel, so it cannot be \"unavailable\"");
        ok = false;
    }
    return ok;
}

}  // namespace

std::optional<GeneratorSpec> parse_generator(JsonReader& r, const Point& p,
                                             const std::vector<Point>& points,
                                             const DeviceFacts& facts) {
    const auto name = r.string("generator");
    if (!name) {
        if (!r.has("generator"))
            r.error_here("expected \"generator\": one of " + generator_kind_list());
        return std::nullopt;
    }
    const auto kind = parse_generator_kind(*name);
    if (!kind) {
        r.error("generator", shown(Json(*name)) + " is not a generator (expected one of " +
                                 generator_kind_list() + ")");
        return std::nullopt;
    }
    if (is_scale_factor(p, points) && *kind != GeneratorKind::constant &&
        *kind != GeneratorKind::unavailable) {
        r.error("generator",
                "\"" + p.name +
                    "\" is a scale factor: give its exponent as \"constant\", or make it "
                    "\"unavailable\" (the simulator picks it otherwise)");
        return std::nullopt;
    }
    if (p.format.type == codec::Type::string && *kind != GeneratorKind::constant) {
        r.error("generator", "\"" + p.name + "\" is a string: only \"constant\" texts make sense");
        return std::nullopt;
    }
    GeneratorSpec spec = base_for(*kind, p, points, facts);
    if (*kind == GeneratorKind::constant && !r.has("value") && is_scale_factor(p, points)) {
        r.error_here("give the scale factor's exponent as \"value\"");
        return std::nullopt;
    }
    bool ok = true;
    read_numbers(r, spec, ok);
    ok = read_kind_specific(r, spec, p, points) && ok;
    if (*kind == GeneratorKind::random_walk && !r.has("nominal") &&
        default_generator(p, points, facts).kind != *kind) {
        r.error_here("a random walk needs a \"nominal\" value for this point");
        ok = false;
    }
    r.reject_unknown(keys_of(*kind));
    if (!ok) return std::nullopt;
    return spec;
}

}  // namespace regpoll::sim
