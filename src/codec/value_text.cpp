#include "codec/value_text.hpp"

#include <charconv>
#include <optional>
#include <system_error>

#include "codec/value_codec.hpp"

namespace regpoll::codec {
namespace {

using Registers = std::vector<std::uint16_t>;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        if (x != b[i]) return false;  // b is always lower case here
    }
    return true;
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string type_note(const Format& format) {
    return " (type " + std::string(type_name(format.type)) + ")";
}

// The whole of `text` as T, or nothing (trailing characters or overflow included).
template <class T, class... Base>
std::optional<T> parse_whole(std::string_view text, Base... base) {
    T number{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, number, base...);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return number;
}

// A decimal number, as an exact integer when it is one (so all of uint64 is reachable),
// otherwise as a double.
std::optional<Value> parse_decimal(std::string_view digits) {
    if (digits.empty()) return std::nullopt;
    if (digits.front() == '-') {
        if (auto i = parse_whole<std::int64_t>(digits)) return Value{*i};
    } else if (auto u = parse_whole<std::uint64_t>(digits)) {
        return Value{*u};
    }
    if (auto d = parse_whole<double>(digits)) return Value{*d};
    return std::nullopt;
}

Expected<Registers, std::string> encode_bool_text(std::string_view text, const Format& format) {
    for (std::string_view word : {"true", "on", "1"}) {
        if (iequals(text, word)) return encode(Value{true}, format);
    }
    for (std::string_view word : {"false", "off", "0"}) {
        if (iequals(text, word)) return encode(Value{false}, format);
    }
    return Unexpected{quoted(text) + " is not a bool (expected true, false, on, off, 1 or 0)"};
}

Expected<Registers, std::string> encode_hex_text(std::string_view text, const Format& format) {
    if (text.front() == '-') {
        return Unexpected{quoted(text) + " is negative, but hex gives raw register bits" +
                          type_note(format)};
    }
    const auto bits = parse_whole<std::uint64_t>(text.substr(2), 16);
    if (!bits) return Unexpected{quoted(text) + " is not a hex number" + type_note(format)};
    return encode_raw(*bits, format);
}

bool is_hex(std::string_view text) {
    if (!text.empty() && text.front() == '-') text.remove_prefix(1);
    return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

}  // namespace

Expected<Registers, std::string> encode_text(std::string_view text, const Format& format) {
    if (format.type == Type::string) return encode(Value{std::string(text)}, format);
    if (format.type == Type::boolean) return encode_bool_text(text, format);

    // from_chars takes no '+', but people type it.
    std::string_view digits = text;
    if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);

    if (is_integer_type(format.type)) {
        if (is_hex(digits)) return encode_hex_text(digits, format);
        if (auto value = parse_decimal(digits)) return encode(*value, format);
    } else if (auto number = parse_whole<double>(digits)) {
        return encode(Value{*number}, format);
    }
    return Unexpected{quoted(text) + " is not a number" + type_note(format)};
}

}  // namespace regpoll::codec
