#include "sim/default_generator.hpp"

#include <array>
#include <cmath>

#include "codec/types.hpp"

namespace regpoll::sim {
namespace {

using profile::Point;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

bool contains_any(const std::string& text, std::initializer_list<std::string_view> parts) {
    for (auto p : parts) {
        if (contains(text, p)) return true;
    }
    return false;
}

// A small stable hash, so every point gets its own constant (zeros would decode the same
// in every byte order and hide layout mistakes).
std::uint32_t name_hash(const std::string& name) {
    std::uint32_t h = 2166136261U;
    for (unsigned char c : name) h = (h ^ c) * 16777619U;
    return h;
}

GeneratorSpec constant(codec::Value v) {
    GeneratorSpec s;
    s.kind = GeneratorKind::constant;
    s.value = std::move(v);
    return s;
}

GeneratorSpec walk(double nominal, const Point& p) {
    GeneratorSpec s;
    s.kind = GeneratorKind::random_walk;
    s.nominal = nominal;
    s.min = p.min;
    s.max = p.max;
    return s;
}

std::optional<double> mid(const Point& p) {
    if (p.min && p.max) return (*p.min + *p.max) / 2;
    if (p.min) return *p.min;
    if (p.max) return *p.max;
    return std::nullopt;
}

// Unit prefixes of power and energy units: W, kW, MW; Wh, kWh, MWh (var alike).
std::optional<double> unit_multiplier(std::string unit, std::string_view base) {
    if (unit.size() < base.size() ||
        unit.compare(unit.size() - base.size(), base.size(), base) != 0) {
        return std::nullopt;
    }
    unit.erase(unit.size() - base.size());
    if (unit.empty()) return 1.0;
    if (unit == "k") return 1e3;
    if (unit == "M") return 1e6;
    return std::nullopt;
}

GeneratorSpec text_point(const Point& p, const DeviceFacts& facts) {
    const std::string& n = p.name;
    if (contains(n, "sunspec")) return constant(std::string("SunS"));
    if (contains_any(n, {"manufacturer", "vendor"})) return constant(facts.manufacturer);
    if (contains(n, "model")) return constant(facts.model);
    if (contains(n, "serial")) return constant("SIM" + std::to_string(1000 + facts.unit));
    if (contains_any(n, {"version", "firmware"})) return constant(std::string("regpoll-sim"));
    return constant("sim " + n);
}

// A distinct value per point that spans every register of the point, in engineering units.
GeneratorSpec distinct_constant(const Point& p) {
    const std::uint32_t h = name_hash(p.name);
    const double small = 1 + h % 97;
    const codec::Type type = p.format.type;
    if (codec::is_float_type(type)) return constant(small + 0.25);
    if (!p.scale_register.empty()) return constant(small);
    double raw = small;
    const std::size_t words = codec::register_count(p.format);
    if (words == 2) raw = 65536.0 * (1 + h % 7) + small;
    if (words == 4) raw = 4294967296.0 * (1 + h % 7) + 65536.0 * (1 + h % 5) + small;
    if (p.format.is_unscaled()) return constant(static_cast<std::int64_t>(raw));
    return constant(raw * p.format.scale + p.format.offset);
}

GeneratorSpec power_point(const Point& p) {
    const double per_watt = unit_multiplier(p.unit, "W").value_or(1.0);
    const double peak = p.max.value_or(3000.0 / per_watt);
    if (contains_any(p.name, {"rated", "max", "peak"})) return constant(peak);
    GeneratorSpec s;
    s.kind = GeneratorKind::solar;
    s.peak = peak;
    s.min = p.min;
    s.max = p.max;
    return s;
}

GeneratorSpec counter(double start, double rate) {
    GeneratorSpec s;
    s.kind = GeneratorKind::counter;
    s.start = start;
    s.rate = rate;
    return s;
}

GeneratorSpec energy_point(const Point& p, const std::vector<Point>& points) {
    const bool daily = contains_any(p.name, {"today", "daily"});
    const double per_wh = unit_multiplier(p.unit, "Wh").value_or(1000.0);
    const std::string source = main_power_point(points);
    if (source.empty()) return counter(daily ? 0 : 12345600.0 / per_wh, 1000.0 / 3600 / per_wh);
    GeneratorSpec s;
    s.kind = GeneratorKind::energy;
    s.source = source;
    s.daily = daily;
    s.start = daily ? 0 : 12345600.0 / per_wh;  // 12345.6 kWh
    for (const auto& q : points) {
        if (q.name == source) s.factor = energy_factor(q.unit, p.unit);
    }
    return s;
}

GeneratorSpec duration_point(const Point& p) {
    double per_second = 1;
    if (p.unit == "min") per_second = 1.0 / 60;
    if (p.unit == "h") per_second = 1.0 / 3600;
    return counter(1000 * 3600 * per_second, per_second);  // 1000 h of operation so far
}

std::optional<GeneratorSpec> by_device_class(const Point& p, const std::vector<Point>& points) {
    const std::string& dc = p.device_class;
    const bool total = p.state_class == "total" || p.state_class == "total_increasing";
    if (dc == "power" || dc == "apparent_power") return power_point(p);
    if (dc == "energy" && total) return energy_point(p, points);
    if (dc == "voltage") {
        if (contains_any(p.name, {"l1_l2", "l2_l3", "l3_l1", "_ll"})) return walk(400, p);
        if (contains_any(p.name, {"pv", "dc", "bus"})) return walk(350, p);
        return walk(230, p);
    }
    if (dc == "current") return walk(p.unit == "mA" ? 5000 : 5, p);
    if (dc == "frequency") return walk(50, p);
    if (dc == "temperature") return walk(35, p);
    if (dc == "battery") return walk(60, p);
    if (dc == "reactive_power") return walk(100 / unit_multiplier(p.unit, "var").value_or(1.0), p);
    if (dc == "power_factor") {
        GeneratorSpec s = walk(p.unit == "%" ? 98 : 0.98, p);
        s.max = p.max.value_or(p.unit == "%" ? 100 : 1);
        return s;
    }
    if (dc == "duration" && total) return duration_point(p);
    // Harmonic distortion has no device class; a healthy grid shows a few per cent.
    if (contains(p.name, "thd")) {
        GeneratorSpec s = walk(contains(p.name, "current") ? 4 : 2, p);
        s.spread = 0.25;
        return s;
    }
    return std::nullopt;
}

}  // namespace

std::string main_power_point(const std::vector<Point>& points) {
    static constexpr std::array<std::string_view, 5> preferred{"ac_power", "active_power", "power",
                                                               "pv_power", "input_power"};
    for (auto name : preferred) {
        for (const auto& p : points) {
            if (p.name == name && p.device_class == "power") return p.name;
        }
    }
    for (const auto& p : points) {
        if (p.device_class == "power" && !contains_any(p.name, {"rated", "max", "peak"}))
            return p.name;
    }
    return {};
}

double energy_factor(const std::string& power_unit, const std::string& energy_unit) {
    auto from = unit_multiplier(power_unit, "W");
    auto to = unit_multiplier(energy_unit, "Wh");
    if (!from || !to) {
        from = unit_multiplier(power_unit, "var");
        to = unit_multiplier(energy_unit, "varh");
    }
    if (!from || !to) return 1.0;
    return *from / *to;
}

std::optional<GeneratorSpec> identify_generator(std::size_t point_index, const profile::Profile& profile) {
    if (!profile.identify) return std::nullopt;
    for (const auto& check : profile.identify->checks) {
        if (check.point_index != point_index) continue;
        if (check.pattern) {
            // A text the profile itself gives that the pattern accepts, if there is one.
            for (const auto& text : {profile.manufacturer, profile.model}) {
                if (check.pattern->matches(text)) return constant(text);
            }
            continue;
        }
        if (check.is_range()) {
            // The lowest value the range accepts (the highest, when it is only bounded above).
            const double bound = check.min ? *check.min : *check.max;
            if (profile.points[point_index].format.is_unscaled())
                return constant(static_cast<std::int64_t>(check.min ? std::ceil(bound) : std::floor(bound)));
            return constant(bound);
        }
        const auto& first = check.values.front();
        if (const auto* text = std::get_if<std::string>(&first)) return constant(*text);
        const double number = std::get<double>(first);
        const bool integral = number == static_cast<double>(static_cast<std::int64_t>(number));
        if (integral && profile.points[point_index].format.is_unscaled())
            return constant(static_cast<std::int64_t>(number));
        return constant(number);
    }
    return std::nullopt;
}

GeneratorSpec default_generator(const Point& p, const std::vector<Point>& points,
                                const DeviceFacts& facts) {
    const bool is_bit =
        modbus::is_bit_kind(p.kind) || p.bit || p.format.type == codec::Type::boolean;
    if (is_bit) return constant((p.address + p.bit.value_or(0)) % 2 == 1);
    if (p.format.type == codec::Type::string) return text_point(p, facts);
    if (!p.map.empty() && p.format.is_unscaled()) {
        if (contains_any(p.name, {"status", "state", "mode"})) {
            GeneratorSpec s;
            s.kind = GeneratorKind::cycle;
            for (const auto& [key, text] : p.map) s.values.emplace_back(key);
            s.period = std::chrono::seconds(30);
            return s;
        }
        return constant(p.map.begin()->first);
    }
    if (auto s = by_device_class(p, points)) return *s;
    if (p.state_class == "total" || p.state_class == "total_increasing") {
        return counter(1000 + name_hash(p.name) % 1000, 1);  // a counter that has counted before
    }
    if (p.state_class == "measurement") {
        const double nominal = mid(p).value_or(p.unit == "%" ? 50 : 10);
        return walk(nominal, p);
    }
    if (auto m = mid(p)) return constant(*m);
    // A healthy device: no faults, alarms or events raised.
    if (contains_any(p.name, {"fault", "alarm", "warning", "error", "event"}))
        return constant(std::int64_t{0});
    return distinct_constant(p);
}

}  // namespace regpoll::sim
