#include "sunspec/point_value.hpp"

#include <cmath>

#include "codec/value_codec.hpp"

namespace regpoll::sunspec {

std::optional<codec::Format> codec_format(const PointDef& def) {
    using codec::Type;
    codec::Format f;
    switch (def.type) {
        case PointType::int16:
        case PointType::sunssf:
            f.type = Type::int16;
            break;
        case PointType::uint16:
        case PointType::count_:
        case PointType::acc16:
        case PointType::enum16:
        case PointType::bitfield16:
            f.type = Type::uint16;
            break;
        case PointType::int32:
            f.type = Type::int32;
            break;
        case PointType::uint32:
        case PointType::acc32:
        case PointType::enum32:
        case PointType::bitfield32:
        case PointType::ipaddr:
            f.type = Type::uint32;
            break;
        case PointType::float32:
            f.type = Type::float32;
            break;
        case PointType::int64:
            f.type = Type::int64;
            break;
        case PointType::uint64:
        case PointType::acc64:
        case PointType::bitfield64:
            f.type = Type::uint64;
            break;
        case PointType::float64:
            f.type = Type::float64;
            break;
        case PointType::string:
            f.type = Type::string;
            f.length = def.size;
            break;
        case PointType::pad:
        case PointType::ipv6addr:
        case PointType::eui48:
            return std::nullopt;
    }
    return f;
}

std::optional<std::uint64_t> sentinel(PointType type) {
    switch (type) {
        case PointType::int16:
        case PointType::sunssf:
            return 0x8000;
        case PointType::uint16:
        case PointType::count_:
        case PointType::acc16:
        case PointType::enum16:
        case PointType::bitfield16:
            return 0xFFFF;
        case PointType::int32:
            return 0x80000000;
        case PointType::uint32:
        case PointType::acc32:
        case PointType::enum32:
        case PointType::bitfield32:
            return 0xFFFFFFFF;
        case PointType::float32:
            return 0x7FC00000;
        case PointType::int64:
            return 0x8000000000000000;
        case PointType::uint64:
        case PointType::acc64:
        case PointType::bitfield64:
            return 0xFFFFFFFFFFFFFFFF;
        case PointType::float64:
            return 0x7FF8000000000000;
        case PointType::ipaddr:
            return 0;
        default:
            return std::nullopt;
    }
}

std::uint64_t raw_bits(std::span<const std::uint16_t> regs) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < regs.size() && i < 4; ++i) v = (v << 16) | regs[i];
    return v;
}

namespace {
bool is_accumulator(PointType t) {
    return t == PointType::acc16 || t == PointType::acc32 || t == PointType::acc64;
}
}  // namespace

bool not_implemented(const PointDef& def, std::span<const std::uint16_t> regs,
                     bool acc_zero_missing) {
    if (def.type == PointType::string) {
        for (auto r : regs) {
            if (r != 0) return false;
        }
        return true;
    }
    const std::uint64_t bits = raw_bits(regs);
    if (is_accumulator(def.type) && acc_zero_missing && bits == 0) return true;
    const auto s = sentinel(def.type);
    return s && bits == *s;
}

std::optional<int> exponent_of(std::span<const std::uint16_t> regs) {
    if (regs.empty() || regs[0] == 0x8000) return std::nullopt;
    const int v = static_cast<std::int16_t>(regs[0]);
    if (v < -10 || v > 10) return std::nullopt;
    return v;
}

codec::Value scaled_value(const PointDef& def, std::span<const std::uint16_t> regs,
                          std::optional<int> exponent, bool acc_zero_missing) {
    const auto format = codec_format(def);
    if (!format || regs.size() < def.size) return {};
    if (not_implemented(def, regs, acc_zero_missing)) return {};
    auto value = codec::decode(regs, *format);
    if (!value) return {};
    if (def.has(PointDef::fixed_sf))
        exponent = def.sf_value;
    else if (def.sf.empty())
        return *value;
    if (!exponent) return {};
    const auto number = codec::to_double(*value);
    if (!number) return *value;
    // Dividing by an exact power of ten keeps 2301 × 10^-1 at 230.1, not 230.10000000000002.
    if (*exponent < 0) return codec::Value(*number / std::pow(10.0, -*exponent));
    return codec::Value(*number * std::pow(10.0, *exponent));
}

}  // namespace regpoll::sunspec
