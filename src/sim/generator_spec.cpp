#include "sim/generator_spec.hpp"

#include <array>
#include <cmath>
#include <utility>

#include "codec/value.hpp"
#include "common/duration.hpp"

namespace regpoll::sim {
namespace {

constexpr std::array<std::pair<GeneratorKind, std::string_view>, 8> kind_names{{
    {GeneratorKind::constant, "constant"},
    {GeneratorKind::random_walk, "random_walk"},
    {GeneratorKind::solar, "solar"},
    {GeneratorKind::energy, "energy"},
    {GeneratorKind::counter, "counter"},
    {GeneratorKind::cycle, "cycle"},
    {GeneratorKind::unavailable, "unavailable"},
    {GeneratorKind::derived, "derived"},
}};

std::string number(double d) {
    return codec::format_value(d);
}

std::string shown(const codec::Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return "\"" + *s + "\"";
    return codec::format_value(v);
}

}  // namespace

std::string_view generator_kind_name(GeneratorKind kind) {
    for (const auto& [k, name] : kind_names) {
        if (k == kind) return name;
    }
    return "constant";
}

std::optional<GeneratorKind> parse_generator_kind(std::string_view name) {
    for (const auto& [k, n] : kind_names) {
        if (n == name) return k;
    }
    return std::nullopt;
}

std::string generator_kind_list() {
    std::string list;
    for (const auto& [k, name] : kind_names) list += (list.empty() ? "" : ", ") + std::string(name);
    return list;
}

std::string describe(const GeneratorSpec& spec) {
    std::string text(generator_kind_name(spec.kind));
    switch (spec.kind) {
        case GeneratorKind::constant:
            text += " " + shown(spec.value);
            break;
        case GeneratorKind::random_walk:
            text += " around " + number(spec.nominal) + " ±" + number(spec.spread * 100) + "%";
            break;
        case GeneratorKind::solar:
            text += " peak " + number(spec.peak) + " (" + number(spec.sunrise) + "h-" +
                    number(spec.sunset) + "h)";
            break;
        case GeneratorKind::energy:
            text += " of " + spec.source + " x" + number(spec.factor) + "/h from " +
                    number(spec.start) + (spec.daily ? ", daily" : "");
            break;
        case GeneratorKind::counter:
            text += " from " + number(spec.start) + " +" + number(spec.rate) + "/s";
            break;
        case GeneratorKind::cycle: {
            text += " [";
            for (std::size_t i = 0; i < spec.values.size(); ++i)
                text += (i ? ", " : "") + shown(spec.values[i]);
            text += "] every " + format_duration(spec.period);
            break;
        }
        case GeneratorKind::unavailable:
            break;
        case GeneratorKind::derived:
            if (spec.magnitude) text += " abs";
            text += " " + number(spec.offset);
            for (const auto& term : spec.terms)
                text += (term.factor < 0 ? " - " : " + ") +
                        (std::abs(term.factor) == 1 ? "" : number(std::abs(term.factor)) + " x ") +
                        term.ref;
            break;
    }
    return text;
}

}  // namespace regpoll::sim
