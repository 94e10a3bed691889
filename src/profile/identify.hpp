#pragma once
// A profile's "identify" block: what a device shows that says "this model". `regpoll
// identify` reads it (src/app/identify_command.cpp); the simulator serves the values it
// names, so a simulated device identifies as its own profile.
//
//   "identify": {
//     "checks": [ { "point": "device_type", "values": [5] },
//                 { "point": "model_name", "pattern": "^SUN2000-" } ],
//     "fc43":    { "vendor": "^Huawei", "product": "SUN2000" },   // FC43/14 basic objects
//     "sunspec": { "manufacturer": "^Fronius", "model": "" },     // SunSpec model 1 Mn/Md
//     "source": "which document or code says these values mean this model"
//   }
// A check names a point of the profile, so its registers are decoded as the point says;
// "values" are compared with the raw value (before any "map" or "bits"), "pattern" is an
// ECMAScript regular expression searched in its text (strings with trailing spaces and
// NULs removed). "mask" (numbers only) compares value & mask with each of "values", for
// codes whose low bits are a variant (Growatt's device type code: high byte type, low byte
// variant). "min" and/or "max" (numbers only, inclusive) accept a range instead, for codes
// that only count up (Fox ESS's manager firmware version: 0x0180 and later is one map).
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "codec/value.hpp"
#include "profile/json_reader.hpp"

namespace regpoll::profile {

struct Point;

struct TextPattern {
    std::string source;  // as written, for messages
    std::regex regex;
    bool matches(const std::string& text) const { return std::regex_search(text, regex); }
};

// A value a check accepts: a number (integers exactly up to 2^53) or a text.
using IdentifyValue = std::variant<double, std::string>;

struct IdentifyCheck {
    std::string point;
    std::size_t point_index = 0;         // into Profile::points
    std::vector<IdentifyValue> values;   // one of them, or
    std::optional<std::uint64_t> mask;   // with numeric values: value & mask is one of them
    std::optional<TextPattern> pattern;  // a match of this, or
    std::optional<double> min;           // a number in [min, max] (either may be open)
    std::optional<double> max;
    bool is_range() const { return min || max; }
    std::string json_path;
};

struct Identify {
    std::vector<IdentifyCheck> checks;
    std::optional<TextPattern> fc43_vendor;
    std::optional<TextPattern> fc43_product;
    std::optional<TextPattern> sunspec_manufacturer;
    std::optional<TextPattern> sunspec_model;
    std::string source;  // where the values come from (a profile says nothing it cannot trace)
    bool uses_fc43() const { return fc43_vendor || fc43_product; }
    bool uses_sunspec() const { return sunspec_manufacturer || sunspec_model; }
};

// Parses the "identify" object `r` of a profile whose points are `points`; mistakes go to
// r's diagnostics under their JSON paths.
Identify parse_identify(JsonReader& r, const std::vector<Point>& points);

// Does `value` (a check point's raw decoded value) satisfy `check`?
bool check_accepts(const IdentifyCheck& check, const codec::Value& value);

// The text a pattern is matched against: strings without trailing blanks and NULs, numbers
// as format_value writes them.
std::string identify_text(const codec::Value& value);

}  // namespace regpoll::profile
