#include "codec/value_codec.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "codec/ieee754.hpp"
#include "codec/words.hpp"

namespace regpoll::codec {
namespace {

using Registers = std::vector<std::uint16_t>;

Value scaled(std::int64_t raw, const Format& format) {
    if (format.is_unscaled()) return raw;
    return static_cast<double>(raw) * format.scale + format.offset;
}

Value scaled(std::uint64_t raw, const Format& format) {
    if (format.is_unscaled()) return raw;
    return static_cast<double>(raw) * format.scale + format.offset;
}

// Skipping the arithmetic when unscaled is what keeps -0.0 and NaN payloads intact.
Value scaled(double raw, const Format& format) {
    if (format.is_unscaled()) return raw;
    return raw * format.scale + format.offset;
}

// The low `digits` nibbles as a decimal number; nullopt if one of them is above 9.
std::optional<std::uint64_t> from_bcd(std::uint64_t bits, unsigned digits) {
    std::uint64_t number = 0;
    for (unsigned i = digits; i-- > 0;) {
        const std::uint64_t nibble = (bits >> (4 * i)) & 0xFU;
        if (nibble > 9) return std::nullopt;
        number = number * 10 + nibble;
    }
    return number;
}

std::string hex(std::uint64_t bits, unsigned digits) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string text = "0x";
    for (unsigned i = digits; i-- > 0;) text += hex_digits[(bits >> (4 * i)) & 0xFU];
    return text;
}

std::string invalid_bcd(std::uint64_t bits, unsigned digits, Type type) {
    return "register value " + hex(bits, digits) + " is not valid BCD (a digit above 9, type " +
           std::string(type_name(type)) + ")";
}

std::string decode_string(std::span<const std::uint16_t> regs, const Format& format) {
    std::string text;
    text.reserve(format.length * 2);
    const bool high_first = format.byte_order == ByteOrder::big;
    for (std::size_t i = 0; i < format.length; ++i) {
        const std::uint16_t reg = regs[i];
        text += static_cast<char>(high_first ? high_byte(reg) : low_byte(reg));
        text += static_cast<char>(high_first ? low_byte(reg) : high_byte(reg));
    }
    // Devices pad fixed-size fields with NULs or spaces; neither is part of the value.
    const auto end = text.find_last_not_of(std::string_view("\0 ", 2));
    text.erase(end == std::string::npos ? 0 : end + 1);
    return text;
}

struct IntRange {
    std::int64_t min;
    std::uint64_t max;
};

IntRange int_range(Type type) {
    switch (type) {
        case Type::int8:
            return {INT8_MIN, INT8_MAX};
        case Type::uint8:
            return {0, UINT8_MAX};
        case Type::int16:
            return {INT16_MIN, INT16_MAX};
        case Type::uint16:
            return {0, UINT16_MAX};
        case Type::int32:
            return {INT32_MIN, INT32_MAX};
        case Type::uint32:
            return {0, UINT32_MAX};
        case Type::int64:
            return {INT64_MIN, INT64_MAX};
        case Type::bcd:
            return {0, 9999};
        case Type::bcd32:
            return {0, 99999999};
        default:
            return {0, UINT64_MAX};  // uint64
    }
}

// Width in bits of the raw pattern of non-string types.
unsigned raw_width(Type type) {
    switch (type) {
        case Type::int8:
        case Type::uint8:
            return 8;
        case Type::int32:
        case Type::uint32:
        case Type::float32:
        case Type::bcd32:
            return 32;
        case Type::int64:
        case Type::uint64:
        case Type::float64:
            return 64;
        default:
            return 16;
    }
}

std::string out_of_range(const Value& value, double raw, const Format& format) {
    const IntRange range = int_range(format.type);
    std::string message = "value " + format_value(value);
    if (!format.is_unscaled()) {
        message += " (raw " + format_value(raw) + " after scale and offset)";
    }
    return message + " is out of range for " + std::string(type_name(format.type)) + " (" +
           std::to_string(range.min) + ".." + std::to_string(range.max) + ")";
}

std::uint64_t to_bcd(std::uint64_t number) {
    std::uint64_t bits = 0;
    for (unsigned shift = 0; number != 0; shift += 4, number /= 10) bits |= (number % 10) << shift;
    return bits;
}

// The register bits of an integer or BCD type for a numeric Value (bools count as 0/1).
Expected<std::uint64_t, std::string> to_raw_integer(const Value& value, const Format& format) {
    const IntRange range = int_range(format.type);
    const bool is_bcd = format.type == Type::bcd || format.type == Type::bcd32;
    const auto finish = [&](std::uint64_t non_negative) {
        return is_bcd ? to_bcd(non_negative) : non_negative;
    };
    const auto negative = [&](std::int64_t number) {
        return to_unsigned(number, raw_width(format.type));
    };
    // Unscaled integers take an exact path, so all of uint64 and int64 is reachable.
    if (format.is_unscaled() && !std::holds_alternative<double>(value)) {
        if (const auto* b = std::get_if<bool>(&value)) return finish(*b ? 1U : 0U);
        if (const auto* u = std::get_if<std::uint64_t>(&value)) {
            if (*u > range.max) return Unexpected{out_of_range(value, 0.0, format)};
            return finish(*u);
        }
        const std::int64_t i = std::get<std::int64_t>(value);
        if (i < 0 ? i < range.min : static_cast<std::uint64_t>(i) > range.max) {
            return Unexpected{out_of_range(value, 0.0, format)};
        }
        return i < 0 ? negative(i) : finish(static_cast<std::uint64_t>(i));
    }
    const double number = to_double(value).value_or(0.0);
    const double raw = std::round((number - format.offset) / format.scale);
    if (!std::isfinite(raw)) {
        return Unexpected{"value " + format_value(value) + " cannot be encoded as " +
                          std::string(type_name(format.type)) + " (not a finite number)"};
    }
    // 2^63 and 2^64 are exact doubles; the other limits are below 2^53 and exact too.
    const bool fits = raw >= static_cast<double>(range.min) &&
                      (range.max == UINT64_MAX  ? raw < 0x1p64
                       : range.max == INT64_MAX ? raw < 0x1p63
                                                : raw <= static_cast<double>(range.max));
    if (!fits) return Unexpected{out_of_range(value, raw, format)};
    return raw < 0 ? negative(static_cast<std::int64_t>(raw))
                   : finish(static_cast<std::uint64_t>(raw));
}

// The raw float bits, refusing finite values that would overflow to infinity.
Expected<std::uint64_t, std::string> to_raw_float(const Value& value, const Format& format) {
    const double number = *to_double(value);
    const double raw = format.is_unscaled() ? number : (number - format.offset) / format.scale;
    const auto too_big = [&](const char* limit) {
        return Unexpected{"value " + format_value(value) + " is out of range for " +
                          std::string(type_name(format.type)) + " (largest magnitude " + limit +
                          ")"};
    };
    switch (format.type) {
        case Type::float16:
            // 65520 and beyond round to infinity.
            if (std::isfinite(raw) && std::fabs(raw) >= 65520.0) return too_big("65504");
            return std::uint64_t{encode_float16(raw)};
        case Type::float32:
            if (std::isfinite(raw) && std::fabs(raw) >= 0x1.ffffffp+127) {
                return too_big("3.4028235e+38");
            }
            return std::uint64_t{encode_float32(raw)};
        default:
            return encode_float64(raw);
    }
}

Registers pack(std::uint64_t bits, const Format& format) {
    if (format.type == Type::int8 || format.type == Type::uint8) {
        const auto byte = static_cast<std::uint16_t>(bits & 0xFFU);
        return {static_cast<std::uint16_t>(format.byte == RegisterByte::high ? byte << 8 : byte)};
    }
    Registers regs(register_count(format));
    write_bits(bits, regs, format.byte_order, format.word_order);
    return regs;
}

Expected<Registers, std::string> encode_string(const Value& value, const Format& format) {
    const auto* text = std::get_if<std::string>(&value);
    if (text == nullptr) {
        return Unexpected{"value " + format_value(value) + " is not a string (type string)"};
    }
    if (text->size() > format.length * 2) {
        return Unexpected{"string \"" + *text + "\" has " + std::to_string(text->size()) +
                          " characters, more than the " + std::to_string(format.length * 2) +
                          " that fit in " + std::to_string(format.length) + " registers"};
    }
    Registers regs(format.length);
    const auto at = [&](std::size_t i) {
        return i < text->size() ? static_cast<std::uint8_t>((*text)[i]) : std::uint8_t{0};
    };
    for (std::size_t i = 0; i < format.length; ++i) {
        const std::uint8_t first = at(2 * i);
        const std::uint8_t second = at(2 * i + 1);
        regs[i] = format.byte_order == ByteOrder::big ? make_word(first, second)
                                                      : make_word(second, first);
    }
    return regs;
}

Expected<Registers, std::string> encode_bool(const Value& value) {
    if (const auto* b = std::get_if<bool>(&value)) {
        return Registers{static_cast<std::uint16_t>(*b ? 1 : 0)};
    }
    const auto number = to_double(value);
    if (number && (*number == 0.0 || *number == 1.0)) {
        return Registers{static_cast<std::uint16_t>(*number)};
    }
    return Unexpected{"value " + format_value(value) + " is not a bool (expected 0 or 1)"};
}

}  // namespace

Expected<Value, std::string> decode(std::span<const std::uint16_t> regs, const Format& format) {
    const std::size_t needed = register_count(format.type, format.length);
    if (needed == 0) {
        return Unexpected{std::string("string needs a length of at least 1 register")};
    }
    if (regs.size() < needed) {
        return Unexpected{std::string(type_name(format.type)) + " needs " + std::to_string(needed) +
                          " registers, got " + std::to_string(regs.size())};
    }
    const auto bits = [&] {
        return read_bits(regs.first(needed), format.byte_order, format.word_order);
    };
    const auto byte = [&] {
        return format.byte == RegisterByte::high ? high_byte(regs[0]) : low_byte(regs[0]);
    };
    switch (format.type) {
        case Type::boolean:
            return Value{std::in_place_type<bool>, regs[0] != 0};
        case Type::int8:
            return scaled(std::int64_t{to_signed8(byte())}, format);
        case Type::uint8:
            return scaled(std::int64_t{byte()}, format);
        case Type::int16:
            return scaled(std::int64_t{to_signed16(static_cast<std::uint16_t>(bits()))}, format);
        case Type::uint16:
            return scaled(static_cast<std::int64_t>(bits()), format);
        case Type::int32:
            return scaled(std::int64_t{to_signed32(static_cast<std::uint32_t>(bits()))}, format);
        case Type::uint32:
            return scaled(static_cast<std::int64_t>(bits()), format);
        case Type::int64:
            return scaled(to_signed64(bits()), format);
        case Type::uint64:
            return scaled(bits(), format);
        case Type::float16:
            return scaled(decode_float16(static_cast<std::uint16_t>(bits())), format);
        case Type::float32:
            return scaled(decode_float32(static_cast<std::uint32_t>(bits())), format);
        case Type::float64:
            return scaled(decode_float64(bits()), format);
        case Type::string:
            return Value{decode_string(regs, format)};
        case Type::bcd:
        case Type::bcd32: {
            const unsigned digits = format.type == Type::bcd ? 4 : 8;
            const std::uint64_t raw = bits();
            const auto number = from_bcd(raw, digits);
            if (!number) return Unexpected{invalid_bcd(raw, digits, format.type)};
            return scaled(static_cast<std::int64_t>(*number), format);
        }
    }
    return Unexpected{std::string("unknown type")};
}

Expected<Registers, std::string> encode(const Value& value, const Format& format) {
    if (auto problem = check_format(format)) return Unexpected{std::move(*problem)};
    if (!is_available(value)) {
        return Unexpected{"no value to encode (type " + std::string(type_name(format.type)) + ")"};
    }
    if (format.type == Type::string) return encode_string(value, format);
    if (std::holds_alternative<std::string>(value)) {
        return Unexpected{"string \"" + std::get<std::string>(value) + "\" is not a number (type " +
                          std::string(type_name(format.type)) + ")"};
    }
    if (format.type == Type::boolean) return encode_bool(value);

    if (is_integer_type(format.type)) {
        const auto bits = to_raw_integer(value, format);
        if (!bits) return Unexpected{bits.error()};
        return pack(*bits, format);
    }
    // Floats: bools make no sense as a measurement here, so they are refused.
    if (std::holds_alternative<bool>(value)) {
        return Unexpected{"value " + format_value(value) + " is a bool, not a number (type " +
                          std::string(type_name(format.type)) + ")"};
    }
    const auto bits = to_raw_float(value, format);
    if (!bits) return Unexpected{bits.error()};
    return pack(*bits, format);
}

Expected<Registers, std::string> encode_raw(std::uint64_t bits, const Format& format) {
    const std::string name(type_name(format.type));
    if (format.type == Type::string) {
        return Unexpected{std::string("raw values are not defined for type string")};
    }
    const unsigned width = raw_width(format.type);
    if (width < 64 && (bits >> width) != 0) {
        const auto digits = static_cast<unsigned>(64 - std::countl_zero(bits) + 3) / 4;
        return Unexpected{"raw value " + hex(bits, digits) + " does not fit in " + name + " (" +
                          std::to_string(width) + " bits)"};
    }
    if (format.type == Type::bcd || format.type == Type::bcd32) {
        if (!from_bcd(bits, width / 4))
            return Unexpected{invalid_bcd(bits, width / 4, format.type)};
    }
    return pack(bits, format);
}

}  // namespace regpoll::codec
