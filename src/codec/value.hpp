#pragma once
// A decoded point value as the rest of regpoll carries it.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace regpoll::codec {

// monostate = not available (read failed, or not read yet). Integer types decode to int64_t
// (uint64 to uint64_t) as long as no scale or offset applies; floats and scaled values are
// double; the string type is std::string; bool is bool.
using Value = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string>;

inline bool is_available(const Value& value) {
    return !std::holds_alternative<std::monostate>(value);
}

// Numbers and bools (as 0/1) as double; nullopt for strings and "not available".
std::optional<double> to_double(const Value& value);

// Integers exactly, doubles in the shortest text that reads back to the same double
// ("0.1", "1e+20", "-0", "nan", "inf", "-inf"), bools as true/false, strings verbatim and
// "not available" as "n/a".
std::string format_value(const Value& value);

}  // namespace regpoll::codec
