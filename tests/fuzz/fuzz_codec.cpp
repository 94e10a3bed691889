// libFuzzer target: codec::decode over every type, byte order, word order and register
// byte, with the fuzz bytes as registers (big endian pairs).
//
// Input: string length in registers (1 byte), scale selector (1 byte; odd: the next 16
// bytes are the raw IEEE bits of scale and offset), then the registers.
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "codec/value_codec.hpp"
#include "codec/value_text.hpp"
#include "fuzz_support.hpp"

using namespace regpoll;
using codec::Type;

namespace {

struct Scaling {
    double scale = 1.0;
    double offset = 0.0;
};

Scaling read_scaling(fuzz::ByteReader& in) {
    static constexpr double scales[] = {0.1, -2.5, 1e-300, 1e300, 0.0, 1.0};
    const std::uint8_t selector = in.u8();
    if ((selector & 1U) == 0) return {scales[(selector >> 1) % std::size(scales)], 0.0};
    const auto raw = [&] {
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | in.u8();
        return std::bit_cast<double>(bits);
    };
    const double scale = raw();
    return {scale, raw()};
}

// Every type the codec names, found once (new types are fuzzed without touching this file).
const std::vector<Type>& all_types() {
    static const std::vector<Type> types = [] {
        std::vector<Type> out;
        for (std::string_view name : codec::type_names()) {
            const auto type = codec::parse_type(name);
            fuzz::require(type.has_value(), "every listed type name parses");
            out.push_back(*type);
        }
        return out;
    }();
    return types;
}

bool is_bcd(Type t) {
    return t == Type::bcd || t == Type::bcd32;
}

// The registers a decoded value came from, as encode should give them back.
std::vector<std::uint16_t> source_registers(std::span<const std::uint16_t> regs,
                                            const codec::Format& f) {
    if (f.type == Type::int8 || f.type == Type::uint8) {
        const std::uint16_t mask = f.byte == codec::RegisterByte::high ? 0xFF00 : 0x00FF;
        return {static_cast<std::uint16_t>(regs[0] & mask)};
    }
    if (f.type == Type::boolean) return {static_cast<std::uint16_t>(regs[0] != 0 ? 1 : 0)};
    const auto used = regs.first(codec::register_count(f));
    return {used.begin(), used.end()};
}

void check_value_type(const codec::Value& v, const codec::Format& f) {
    bool ok = false;
    switch (f.type) {
        case Type::boolean:
            ok = std::holds_alternative<bool>(v);
            break;
        case Type::string:
            ok = std::holds_alternative<std::string>(v);
            break;
        case Type::float16:
        case Type::float32:
        case Type::float64:
            ok = std::holds_alternative<double>(v);
            break;
        case Type::uint64:
            ok = f.is_unscaled() ? std::holds_alternative<std::uint64_t>(v)
                                 : std::holds_alternative<double>(v);
            break;
        default:
            ok = f.is_unscaled() ? std::holds_alternative<std::int64_t>(v)
                                 : std::holds_alternative<double>(v);
    }
    fuzz::require(ok, "decode gives the Value alternative its type promises");
}

void check_string(const std::string& s, const codec::Format& f) {
    fuzz::require(s.size() <= 2 * f.length, "a string holds at most two characters per register");
    fuzz::require(s.empty() || (s.back() != '\0' && s.back() != ' '),
                  "a string loses its trailing NULs and spaces");
    const auto regs = codec::encode(codec::Value{s}, f);
    fuzz::require(regs.has_value(), "a decoded string encodes again");
    const auto again = codec::decode(*regs, f);
    fuzz::require(again.has_value() && std::get<std::string>(*again) == s,
                  "a decoded string survives encode and decode");
}

// Unscaled: the raw bits must come back exactly, through encode and through the text the
// command line would print and accept.
void check_round_trip(const codec::Value& v, std::span<const std::uint16_t> regs,
                      const codec::Format& f) {
    if (f.type == Type::string) return check_string(std::get<std::string>(v), f);
    const auto expected = source_registers(regs, f);
    const auto encoded = codec::encode(v, f);
    fuzz::require(encoded.has_value() && *encoded == expected,
                  "an unscaled decoded value encodes to the registers it came from");
    if (f.type == Type::boolean) return;
    if (const auto* d = std::get_if<double>(&v); d && std::isnan(*d))
        return;  // "nan" loses the payload
    const auto from_text = codec::encode_text(codec::format_value(v), f);
    fuzz::require(from_text.has_value() && *from_text == expected,
                  "the printed value reads back to the same registers");
}

void check_decode(std::span<const std::uint16_t> regs, const codec::Format& f) {
    const std::size_t needed = codec::register_count(f);
    const auto v = codec::decode(regs, f);
    if (needed == 0 || regs.size() < needed) {
        fuzz::require(!v.has_value() && !v.error().empty(), "too few registers is a named error");
        return;
    }
    if (!v) {
        fuzz::require(is_bcd(f.type) && !v.error().empty(), "only BCD digits above 9 fail decode");
        return;
    }
    check_value_type(*v, f);
    (void)codec::format_value(*v);
    (void)codec::to_double(*v);
    if (f.is_unscaled()) {
        check_round_trip(*v, regs, f);
    } else if (!codec::check_format(f)) {
        (void)codec::encode(*v, f);  // any result, but no crash and no UB
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const std::size_t string_length = in.u8();
    const Scaling scaling = read_scaling(in);
    std::vector<std::uint16_t> regs;
    for (auto rest = in.rest(); rest.size() >= 2; rest = rest.subspan(2)) {
        regs.push_back(static_cast<std::uint16_t>((rest[0] << 8) | rest[1]));
    }

    for (const Type type : all_types()) {
        for (auto byte_order : {codec::ByteOrder::big, codec::ByteOrder::little}) {
            for (auto word_order : {codec::WordOrder::big, codec::WordOrder::little}) {
                for (auto reg_byte : {codec::RegisterByte::high, codec::RegisterByte::low}) {
                    // Only int8/uint8 read the register byte; the rest need one pass.
                    const bool byte_type = type == Type::int8 || type == Type::uint8;
                    if (!byte_type && reg_byte == codec::RegisterByte::high) continue;
                    codec::Format f;
                    f.type = type;
                    f.byte_order = byte_order;
                    f.word_order = word_order;
                    f.length = string_length;
                    f.byte = reg_byte;
                    check_decode(regs, f);
                    f.scale = scaling.scale;
                    f.offset = scaling.offset;
                    if (!f.is_unscaled()) check_decode(regs, f);
                }
            }
        }
    }
    return 0;
}
