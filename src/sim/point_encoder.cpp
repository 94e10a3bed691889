#include "sim/point_encoder.hpp"

#include "poll/point_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "codec/ieee754.hpp"
#include "codec/value_codec.hpp"
#include "codec/words.hpp"

namespace regpoll::sim {
namespace {

using codec::Type;
using profile::Point;
using Registers = std::vector<std::uint16_t>;

struct RawRange {
    double min;
    double max;
};

// Raw integers the type holds (64-bit types kept to 2^62, plenty for a simulation).
RawRange raw_range(Type type) {
    switch (type) {
        case Type::int8:
            return {-128, 127};
        case Type::uint8:
            return {0, 255};
        case Type::int16:
            return {-32768, 32767};
        case Type::uint16:
            return {0, 65535};
        case Type::int32:
            return {-2147483648.0, 2147483647.0};
        case Type::uint32:
            return {0, 4294967295.0};
        case Type::int64:
            return {-0x1p62, 0x1p62};
        case Type::uint64:
            return {0, 0x1p62};
        case Type::bcd:
            return {0, 9999};
        case Type::bcd32:
            return {0, 99999999};
        default:
            return {0, 1};
    }
}

double float_limit(Type type) {
    switch (type) {
        case Type::float16:
            return 65504.0;
        case Type::float32:
            return static_cast<double>(std::numeric_limits<float>::max());
        default:
            return std::numeric_limits<double>::max();
    }
}

codec::Format unscaled(codec::Format f) {
    f.scale = 1.0;
    f.offset = 0.0;
    return f;
}

// The poller's check: the point's registers as one raw integer, after ordering.
bool is_nan_raw(const Point& p, const Registers& regs) {
    if (p.nan.empty() || regs.size() > 4) return false;
    const std::uint64_t raw = codec::read_bits(regs, p.format.byte_order, p.format.word_order);
    return std::find(p.nan.begin(), p.nan.end(), raw) != p.nan.end();
}

bool has_map(const Point& p) {
    if (p.map.empty()) return false;
    if (p.bit || p.format.type == Type::boolean) return true;
    return codec::is_integer_type(p.format.type) && p.format.is_unscaled();
}

bool truthy(const codec::Value& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b;
    return codec::to_double(v).value_or(0.0) != 0.0;
}

// A map text back to its key, or a number as the key.
Expected<std::int64_t, std::string> key_of(const Point& p, const codec::Value& v) {
    if (const auto* text = std::get_if<std::string>(&v)) {
        for (const auto& [key, t] : p.map) {
            if (t == *text) return key;
        }
        std::string texts;
        for (const auto& [key, t] : p.map) texts += (texts.empty() ? "\"" : ", \"") + t + "\"";
        return Unexpected{"\"" + *text + "\" is not one of the map's texts (" + texts + ")"};
    }
    if (const auto* b = std::get_if<bool>(&v)) return std::int64_t{*b ? 1 : 0};
    const auto d = codec::to_double(v);
    if (!d || !std::isfinite(*d)) return Unexpected{std::string("no number to encode")};
    return static_cast<std::int64_t>(std::llround(*d));
}

std::string text_of(const codec::Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return codec::format_value(v);
}

struct RawInteger {
    std::int64_t raw;
    Registers regs;
};

// The raw integer nearest to `wanted` within the type, stepping off nan sentinels.
Expected<RawInteger, std::string> integer_raw(const Point& p, double wanted) {
    const RawRange range = raw_range(p.format.type);
    const double base = std::clamp(std::round(wanted), range.min, range.max);
    for (double delta : {0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0}) {
        const double candidate = base + delta;
        if (candidate < range.min || candidate > range.max) continue;
        const auto raw = static_cast<std::int64_t>(candidate);
        auto regs = codec::encode(codec::Value(raw), unscaled(p.format));
        if (!regs) return Unexpected{regs.error()};
        if (!is_nan_raw(p, *regs)) return RawInteger{raw, std::move(*regs)};
    }
    return Unexpected{"every raw value near " + codec::format_value(base) + " is a nan sentinel"};
}

double decode_float_bits(Type type, std::uint64_t bits) {
    switch (type) {
        case Type::float16:
            return codec::decode_float16(static_cast<std::uint16_t>(bits));
        case Type::float32:
            return codec::decode_float32(static_cast<std::uint32_t>(bits));
        default:
            return codec::decode_float64(bits);
    }
}

std::uint64_t encode_float_bits(Type type, double value) {
    switch (type) {
        case Type::float16:
            return codec::encode_float16(value);
        case Type::float32:
            return codec::encode_float32(value);
        default:
            return codec::encode_float64(value);
    }
}

struct RawFloat {
    double raw;  // exactly representable in the type
    Registers regs;
};

Expected<RawFloat, std::string> float_raw(const Point& p, double wanted) {
    const Type type = p.format.type;
    const double limit = float_limit(type);
    const std::uint64_t base = encode_float_bits(type, std::clamp(wanted, -limit, limit));
    for (std::uint64_t candidate : {base, base + 1, base - 1}) {
        const double raw = decode_float_bits(type, candidate);
        if (!std::isfinite(raw)) continue;
        auto regs = codec::encode_raw(candidate, p.format);
        if (!regs) continue;  // base - 1 of 0 wraps out of the type's width
        if (!is_nan_raw(p, *regs)) return RawFloat{raw, std::move(*regs)};
    }
    return Unexpected{"every float near " + codec::format_value(wanted) + " is a nan sentinel"};
}

// A bit's state from a bool, a number or one of the point's map texts.
Expected<bool, std::string> bit_state(const Point& p, const codec::Value& v) {
    if (!std::holds_alternative<std::string>(v)) return truthy(v);
    auto key = key_of(p, v);
    if (!key) return Unexpected{key.error()};
    return *key != 0;
}

// Coils and discrete inputs read as the poller reports them: a bool, or its map text.
Expected<EncodedPoint, std::string> bit_kind(const Point& p, const codec::Value& v) {
    auto on = bit_state(p, v);
    if (!on) return Unexpected{on.error()};
    EncodedPoint out;
    out.bit = *on;
    out.intended = has_map(p) ? codec::Value(map_text(p, *on ? 1 : 0)) : codec::Value(*on);
    return out;
}

Expected<EncodedPoint, std::string> bit_of_register(const Point& p, const codec::Value& v) {
    auto state = bit_state(p, v);
    if (!state) return Unexpected{state.error()};
    const bool on = *state;
    EncodedPoint out;
    out.mask = static_cast<std::uint16_t>(1U << *p.bit);
    out.registers = {static_cast<std::uint16_t>(on ? out.mask : 0)};
    out.intended = has_map(p) ? codec::Value(map_text(p, on ? 1 : 0)) : codec::Value(on);
    return out;
}

Expected<EncodedPoint, std::string> text(const Point& p, const codec::Value& v) {
    std::string s = text_of(v);
    if (s.size() > p.format.length * 2) s.resize(p.format.length * 2);
    auto regs = codec::encode(codec::Value(s), p.format);
    if (!regs) return Unexpected{regs.error()};
    // The poller drops trailing NULs and spaces.
    const auto end = s.find_last_not_of(std::string_view("\0 ", 2));
    s.erase(end == std::string::npos ? 0 : end + 1);
    return EncodedPoint{std::move(*regs), 0xFFFF, false, codec::Value(std::move(s))};
}

// A byte point owns only its half of the register; the other half may be another point.
std::uint16_t byte_mask(const Point& p) {
    if (p.format.type != Type::int8 && p.format.type != Type::uint8) return 0xFFFF;
    return p.format.byte == codec::RegisterByte::high ? 0xFF00 : 0x00FF;
}

Expected<EncodedPoint, std::string> mapped(const Point& p, const codec::Value& v) {
    auto key = key_of(p, v);
    if (!key) return Unexpected{key.error()};
    if (p.format.type == Type::boolean) {
        auto regs = codec::encode(codec::Value(*key != 0), p.format);
        if (!regs) return Unexpected{regs.error()};
        return EncodedPoint{std::move(*regs), 0xFFFF, false, map_text(p, *key != 0 ? 1 : 0)};
    }
    auto raw = integer_raw(p, static_cast<double>(*key));
    if (!raw) return Unexpected{raw.error()};
    return EncodedPoint{std::move(raw->regs), byte_mask(p), false, map_text(p, raw->raw)};
}

// Integers given as integers go through unrounded when no arithmetic applies, so all of
// int64 and uint64 is reachable; nullopt leaves the value to the rounding path.
std::optional<EncodedPoint> exact_integer(const Point& p, const codec::Value& v, bool has_sf) {
    const auto* i = std::get_if<std::int64_t>(&v);
    const auto* u = std::get_if<std::uint64_t>(&v);
    if ((!i && !u) || has_sf || !p.format.is_unscaled() || !codec::is_integer_type(p.format.type))
        return std::nullopt;
    auto regs = codec::encode(v, p.format);
    if (!regs || is_nan_raw(p, *regs)) return std::nullopt;
    codec::Value decoded;
    if (p.format.type == Type::uint64) {
        decoded = u ? *u : static_cast<std::uint64_t>(*i);
    } else {
        decoded = i ? *i : static_cast<std::int64_t>(*u);
    }
    return EncodedPoint{std::move(*regs), byte_mask(p), false, std::move(decoded)};
}

Expected<EncodedPoint, std::string> number(const Point& p, const codec::Value& v, int exponent) {
    if (std::holds_alternative<std::string>(v)) {
        return Unexpected{"\"" + std::get<std::string>(v) + "\" is not a number (type " +
                          std::string(codec::type_name(p.format.type)) + ")"};
    }
    const bool has_sf = !p.scale_register.empty();
    if (auto exact = exact_integer(p, v, has_sf)) return std::move(*exact);
    const double wanted = codec::to_double(v).value_or(0.0);
    if (!std::isfinite(wanted))
        return Unexpected{"value " + codec::format_value(v) + " is not finite"};
    const double power = has_sf ? std::pow(10.0, exponent) : 1.0;
    const codec::Format& f = p.format;
    // The poller: decoded = raw * scale + offset (no arithmetic when unscaled), then
    // * 10^exponent with a scale register. The same order of operations here keeps the
    // intended value bit-identical to what it computes.
    const auto finish = [&](codec::Value decoded) -> codec::Value {
        if (has_sf) decoded = *codec::to_double(decoded) * std::pow(10.0, static_cast<double>(exponent));
        return poll::display_value(std::move(decoded), p);
    };
    if (codec::is_float_type(f.type)) {
        auto raw =
            float_raw(p, f.is_unscaled() ? wanted / power : (wanted / power - f.offset) / f.scale);
        if (!raw) return Unexpected{raw.error()};
        const double decoded = f.is_unscaled() ? raw->raw : raw->raw * f.scale + f.offset;
        return EncodedPoint{std::move(raw->regs), 0xFFFF, false, finish(decoded)};
    }
    auto raw = integer_raw(p, (wanted / power - f.offset) / f.scale);
    if (!raw) return Unexpected{raw.error()};
    codec::Value decoded;
    if (!f.is_unscaled()) {
        decoded = static_cast<double>(raw->raw) * f.scale + f.offset;
    } else if (f.type == Type::uint64) {
        decoded = static_cast<std::uint64_t>(raw->raw);
    } else {
        decoded = raw->raw;
    }
    return EncodedPoint{std::move(raw->regs), byte_mask(p), false, finish(std::move(decoded))};
}

// A bitfield (SunSpec bitfields, status words): a number, or the names of the set bits
// joined by commas as the poller reports them. The intended value is those names.
Expected<EncodedPoint, std::string> bitfield(const Point& p, const codec::Value& v) {
    std::uint64_t wanted = 0;
    if (const auto* text = std::get_if<std::string>(&v)) {
        std::size_t pos = 0;
        while (pos <= text->size()) {
            const auto comma = text->find(',', pos);
            const std::string name = text->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            if (!name.empty()) {
                bool found = false;
                for (const auto& [bit, n] : p.bits) {
                    if (n == name) {
                        wanted |= std::uint64_t{1} << bit;
                        found = true;
                    }
                }
                if (!found) return Unexpected{"\"" + name + "\" is not one of the point's bit names"};
            }
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    } else {
        const auto d = codec::to_double(v);
        if (!d || !std::isfinite(*d) || *d < 0) return Unexpected{std::string("no bit pattern to encode")};
        wanted = static_cast<std::uint64_t>(std::llround(*d));
    }
    auto raw = integer_raw(p, static_cast<double>(wanted));
    if (!raw) return Unexpected{raw.error()};
    std::string names;
    for (const auto& [bit, name] : p.bits) {
        if (((static_cast<std::uint64_t>(raw->raw) >> bit) & 1U) != 0) names += (names.empty() ? "" : ",") + name;
    }
    return EncodedPoint{std::move(raw->regs), byte_mask(p), false, codec::Value(std::move(names))};
}

Expected<EncodedPoint, std::string> unavailable(const Point& p) {
    if (modbus::is_bit_kind(p.kind) || p.bit) {
        return Unexpected{std::string("a bit cannot be \"not available\"")};
    }
    if (p.nan.empty()) return Unexpected{std::string("the point has no \"nan\" sentinel to write")};
    auto regs = codec::encode_raw(p.nan.front(), p.format);
    if (!regs) return Unexpected{regs.error()};
    return EncodedPoint{std::move(*regs), byte_mask(p), false, std::monostate{}};
}

}  // namespace

std::string map_text(const Point& p, std::int64_t key) {
    const auto it = p.map.find(key);
    return it != p.map.end() ? it->second : std::to_string(key);
}

bool fits_with_exponent(const Point& p, double value, int exponent) {
    const double power = std::pow(10.0, exponent);
    const codec::Format& f = p.format;
    if (codec::is_float_type(f.type)) {
        const double raw = f.is_unscaled() ? value / power : (value / power - f.offset) / f.scale;
        return std::fabs(raw) <= float_limit(f.type);
    }
    const RawRange range = raw_range(f.type);
    const double raw = std::round((value / power - f.offset) / f.scale);
    return raw >= range.min && raw <= range.max;
}

Expected<EncodedPoint, std::string> encode_point(const Point& p, const codec::Value& value,
                                                 int exponent) {
    if (modbus::is_bit_kind(p.kind)) return bit_kind(p, value);
    if (!codec::is_available(value)) return unavailable(p);
    if (p.bit) return bit_of_register(p, value);
    if (p.format.type == Type::string) return text(p, value);
    if (has_map(p)) return mapped(p, value);
    if (!p.bits.empty() && p.format.is_unscaled() && codec::is_integer_type(p.format.type) &&
        p.scale_register.empty())
        return bitfield(p, value);
    if (p.format.type == Type::boolean) {
        auto regs = codec::encode(codec::Value(truthy(value)), p.format);
        if (!regs) return Unexpected{regs.error()};
        if (is_nan_raw(p, *regs)) return Unexpected{std::string("the value is a nan sentinel")};
        return EncodedPoint{std::move(*regs), 0xFFFF, false, codec::Value(truthy(value))};
    }
    return number(p, value, exponent);
}

}  // namespace regpoll::sim
