#include "profile/identify.hpp"

#include <algorithm>
#include <cmath>

#include "profile/point.hpp"

namespace regpoll::profile {
namespace {

std::optional<TextPattern> pattern(JsonReader& r, const std::string& key) {
    auto text = r.string(key);
    if (!text) return std::nullopt;
    try {
        return TextPattern{*text, std::regex(*text, std::regex::ECMAScript)};
    } catch (const std::regex_error& e) {
        r.error(key, "\"" + *text + "\" is not a regular expression (" + e.what() + ")");
        return std::nullopt;
    }
}

std::vector<IdentifyValue> values(JsonReader& r, const Json& list) {
    std::vector<IdentifyValue> out;
    if (!list.is_array() || list.empty()) {
        r.error("values", shown(list) + " is not a non-empty list of numbers or strings");
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Json& v = list[i];
        if (v.is_number()) {
            out.emplace_back(v.get<double>());
        } else if (v.is_string()) {
            out.emplace_back(v.get<std::string>());
        } else {
            r.error("values/" + std::to_string(i), shown(v) + " is neither a number nor a string");
        }
    }
    return out;
}

// "mask" needs numeric "values" whose bits are all inside it (else no value could match).
std::optional<std::uint64_t> mask(JsonReader& r, const std::vector<IdentifyValue>& values) {
    if (!r.has("mask")) return std::nullopt;
    auto m = r.integer("mask", 1, (1LL << 53) - 1);
    if (!m) return std::nullopt;
    if (!r.has("values")) {
        r.error("mask", "a mask applies to \"values\" (numbers), and this check has none");
        return std::nullopt;
    }
    const auto bits = static_cast<std::uint64_t>(*m);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto* d = std::get_if<double>(&values[i]);
        if (!d || *d < 0 || *d != static_cast<double>(static_cast<std::uint64_t>(*d))) {
            const std::string shown_value = d ? codec::format_value(*d) : "\"" + std::get<std::string>(values[i]) + "\"";
            r.error("values/" + std::to_string(i), shown_value + " is not a non-negative integer (a mask compares bits)");
        } else if ((static_cast<std::uint64_t>(*d) & ~bits) != 0) {
            r.error("values/" + std::to_string(i), codec::format_value(*d) +
                                                       " has bits outside the mask " + std::to_string(bits) +
                                                       ", so no value could match it");
        }
    }
    return bits;
}

std::optional<IdentifyCheck> parse_check(JsonReader& r, const std::vector<Point>& points) {
    if (!r.is_object()) {
        r.error_here("a check is an object: {\"point\": NAME, \"values\": [...]} or {\"point\": NAME, \"pattern\": REGEX}");
        return std::nullopt;
    }
    IdentifyCheck c;
    c.json_path = r.path();
    bool ok = true;
    if (auto name = r.string("point")) {
        c.point = *name;
        auto it = std::find_if(points.begin(), points.end(), [&](const Point& p) { return p.name == *name; });
        if (it == points.end()) {
            r.error("point", "\"" + *name + "\" is not a point of this profile");
            ok = false;
        } else {
            c.point_index = static_cast<std::size_t>(it - points.begin());
            if (modbus::is_bit_kind(it->kind)) {
                r.error("point", "\"" + *name + "\" is a coil or discrete input; a check reads registers");
                ok = false;
            } else if (!it->scale_register.empty()) {
                r.error("point", "\"" + *name + "\" has a scale_register; a check reads a point on its own");
                ok = false;
            } else if (!it->readable) {
                r.error("point", "\"" + *name + "\" is write-only (\"read\": false); a check reads its point");
                ok = false;
            }
        }
    } else {
        if (!r.has("point")) r.error_here("a check needs a \"point\"");
        ok = false;
    }
    if (const Json* list = r.get("values")) c.values = values(r, *list);
    c.pattern = pattern(r, "pattern");
    c.min = r.number("min");
    c.max = r.number("max");
    const bool has_values = r.has("values"), has_pattern = r.has("pattern");
    const bool has_range = r.has("min") || r.has("max");
    const int kinds = int{has_values} + int{has_pattern} + int{has_range};
    if (kinds != 1) {
        r.error_here(kinds == 0 ? "a check needs \"values\", \"pattern\" or \"min\"/\"max\""
                                : "a check has one of \"values\", \"pattern\" and \"min\"/\"max\", not several");
        ok = false;
    }
    if (c.min && c.max && *c.min > *c.max) {
        r.error("max", codec::format_value(*c.max) + " is below \"min\" " + codec::format_value(*c.min) +
                           ", so no value could match");
        ok = false;
    }
    if (has_range && ok && points[c.point_index].format.type == codec::Type::string) {
        r.error("point", "\"" + c.point + "\" is a string; \"min\"/\"max\" compare numbers");
        ok = false;
    }
    c.mask = mask(r, c.values);
    r.reject_unknown("point, values, pattern, mask, min, max");
    if (!ok || (c.values.empty() && !c.pattern && !c.is_range())) return std::nullopt;
    return c;
}

}  // namespace

Identify parse_identify(JsonReader& r, const std::vector<Point>& points) {
    Identify id;
    if (!r.is_object()) {
        r.error_here("\"identify\" must be an object with \"checks\", \"fc43\" and/or \"sunspec\"");
        return id;
    }
    if (const Json* checks = r.get("checks")) {
        if (!checks->is_array() || checks->empty()) {
            r.error("checks", shown(*checks) + " is not a non-empty list of checks");
        } else {
            for (std::size_t i = 0; i < checks->size(); ++i) {
                JsonReader cr((*checks)[i], r.file(), r.child_path("checks") + "/" + std::to_string(i), r.diag());
                if (auto c = parse_check(cr, points)) id.checks.push_back(std::move(*c));
            }
        }
    }
    if (const Json* fc43 = r.get("fc43")) {
        JsonReader fr(*fc43, r.file(), r.child_path("fc43"), r.diag());
        if (!fr.is_object()) {
            r.error("fc43", shown(*fc43) + " is not an object with \"vendor\" and/or \"product\"");
        } else {
            id.fc43_vendor = pattern(fr, "vendor");
            id.fc43_product = pattern(fr, "product");
            if (!fr.has("vendor") && !fr.has("product")) fr.error_here("\"fc43\" needs \"vendor\" and/or \"product\"");
            fr.reject_unknown("vendor, product");
        }
    }
    if (const Json* sunspec = r.get("sunspec")) {
        JsonReader sr(*sunspec, r.file(), r.child_path("sunspec"), r.diag());
        if (!sr.is_object()) {
            r.error("sunspec", shown(*sunspec) + " is not an object with \"manufacturer\" and/or \"model\"");
        } else {
            id.sunspec_manufacturer = pattern(sr, "manufacturer");
            id.sunspec_model = pattern(sr, "model");
            if (!sr.has("manufacturer") && !sr.has("model"))
                sr.error_here("\"sunspec\" needs \"manufacturer\" and/or \"model\"");
            sr.reject_unknown("manufacturer, model");
        }
    }
    id.source = r.string("source").value_or("");
    if (!r.has("checks") && !r.has("fc43") && !r.has("sunspec"))
        r.error_here("\"identify\" needs \"checks\", \"fc43\" or \"sunspec\"");
    r.reject_unknown("checks, fc43, sunspec, source");
    return id;
}

std::string identify_text(const codec::Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) {
        std::string text = *s;
        while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
        return text;
    }
    return codec::format_value(value);
}

bool check_accepts(const IdentifyCheck& check, const codec::Value& value) {
    if (!codec::is_available(value)) return false;
    if (check.pattern) return check.pattern->matches(identify_text(value));
    const auto number = codec::to_double(value);
    if (check.is_range()) {
        return number && !std::isnan(*number) && (!check.min || *number >= *check.min) &&
               (!check.max || *number <= *check.max);
    }
    const auto text = std::holds_alternative<std::string>(value) ? identify_text(value) : std::string();
    std::optional<double> compared = number;
    if (check.mask) {
        // Only a non-negative integer has bits to mask.
        if (!number || *number < 0 || *number != std::floor(*number) || *number >= 9007199254740992.0) return false;
        compared = static_cast<double>(static_cast<std::uint64_t>(*number) & *check.mask);
    }
    for (const auto& expected : check.values) {
        if (const auto* d = std::get_if<double>(&expected)) {
            if (compared && *compared == *d) return true;
        } else if (!number && std::get<std::string>(expected) == text) {
            return true;
        }
    }
    return false;
}

}  // namespace regpoll::profile
