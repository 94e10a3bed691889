#include "codec/value.hpp"

#include <charconv>
#include <cmath>

namespace regpoll::codec {
namespace {

template <class T>
std::string to_text(T number) {
    // 32 covers the longest shortest-round-trip double ("-2.2250738585072014e-308").
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
    return std::string(buffer, result.ptr);
}

// Each alternative of Value gets its own overload, so adding one fails to compile here.
struct Formatter {
    std::string operator()(std::monostate) const { return "n/a"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return to_text(i); }
    std::string operator()(std::uint64_t u) const { return to_text(u); }
    std::string operator()(double d) const {
        // to_chars would print the sign of a NaN ("-nan"), which says nothing to a reader.
        if (std::isnan(d)) return "nan";
        return to_text(d);
    }
    std::string operator()(const std::string& s) const { return s; }
};

struct ToDouble {
    std::optional<double> operator()(std::monostate) const { return std::nullopt; }
    std::optional<double> operator()(bool b) const { return b ? 1.0 : 0.0; }
    std::optional<double> operator()(std::int64_t i) const { return static_cast<double>(i); }
    std::optional<double> operator()(std::uint64_t u) const { return static_cast<double>(u); }
    std::optional<double> operator()(double d) const { return d; }
    std::optional<double> operator()(const std::string&) const { return std::nullopt; }
};

}  // namespace

std::optional<double> to_double(const Value& value) {
    return std::visit(ToDouble{}, value);
}

std::string format_value(const Value& value) {
    return std::visit(Formatter{}, value);
}

}  // namespace regpoll::codec
