#include "app/probe_readings.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "codec/format.hpp"
#include "codec/value_codec.hpp"

namespace regpoll::app {
namespace {

using codec::Order;
using codec::Type;

// The four orders, named by their 4-letter names; order_name gives the 8-letter ones.
const Order orders[] = {
    {codec::ByteOrder::big, codec::WordOrder::big},        // ABCD
    {codec::ByteOrder::big, codec::WordOrder::little},     // CDAB
    {codec::ByteOrder::little, codec::WordOrder::big},     // BADC
    {codec::ByteOrder::little, codec::WordOrder::little},  // DCBA
};

// Past these a value is "huge": counters and measurements of real devices stay below.
constexpr double huge_float = 1e9;
constexpr double huge_int32 = 1e9;
constexpr double huge_int64 = 1e15;
// Non-zero floats below this are "tiny": no measurement is that small in its unit.
constexpr double tiny_float = 1e-6;

std::string float_hint(Type type, double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return "infinite";
    const double smallest_normal = type == Type::float32 ? std::numeric_limits<float>::min()
                                                         : std::numeric_limits<double>::min();
    const double a = std::fabs(v);
    if (a != 0 && a < smallest_normal) return "denormal";
    if (a != 0 && a < tiny_float) return "tiny";
    if (a >= huge_float) return "huge";
    return "";
}

bool is_signed_minimum(Type type, const codec::Value& value) {
    const auto* v = std::get_if<std::int64_t>(&value);
    if (!v) return false;
    switch (type) {
        case Type::int16:
            return *v == std::numeric_limits<std::int16_t>::min();
        case Type::int32:
            return *v == std::numeric_limits<std::int32_t>::min();
        case Type::int64:
            return *v == std::numeric_limits<std::int64_t>::min();
        default:
            return false;
    }
}

void add(std::vector<ProbeReading>& out, std::span<const std::uint16_t> regs, std::uint32_t address,
         Type type, std::optional<Order> order) {
    codec::Format format;
    format.type = type;
    if (order) {
        format.byte_order = order->byte;
        format.word_order = order->word;
    }
    const auto words = regs.first(codec::register_count(format));
    auto decoded = codec::decode(words, format);
    ProbeReading r;
    r.address = address;
    r.type = type;
    if (order) r.order = std::string(codec::order_name(*order, words.size()));
    if (decoded) r.value = std::move(*decoded);
    r.hint = probe_hint(type, r.value, words);
    out.push_back(std::move(r));
}

}  // namespace

std::string probe_hint(Type type, const codec::Value& value, std::span<const std::uint16_t> regs) {
    if (!codec::is_available(value)) return type == Type::bcd || type == Type::bcd32 ? "not BCD" : "undecodable";
    if (!regs.empty() && std::all_of(regs.begin(), regs.end(), [](std::uint16_t r) { return r == 0xFFFF; })) {
        return "all 0xFFFF (often: not available)";
    }
    if (is_signed_minimum(type, value)) return "lowest value (often: not available)";
    if (codec::is_float_type(type)) {
        if (auto d = std::get_if<double>(&value)) return float_hint(type, *d);
        return "";
    }
    const auto number = codec::to_double(value);
    if (!number) return "";
    const double limit = codec::register_count(type, 0) >= 4 ? huge_int64 : huge_int32;
    if (codec::register_count(type, 0) >= 2 && std::fabs(*number) >= limit) return "huge";
    return "";
}

std::vector<ProbeReading> probe_readings(std::span<const std::uint16_t> regs, std::uint32_t first_address) {
    std::vector<ProbeReading> out;
    for (std::size_t i = 0; i < regs.size(); ++i) {
        const auto rest = regs.subspan(i);
        const auto address = first_address + static_cast<std::uint32_t>(i);
        for (Type t : {Type::uint16, Type::int16, Type::bcd}) add(out, rest, address, t, std::nullopt);
        if (rest.size() >= 2) {
            for (Type t : {Type::uint32, Type::int32, Type::float32}) {
                for (const auto& o : orders) add(out, rest, address, t, o);
            }
            for (const auto& o : std::span(orders).first(2)) add(out, rest, address, Type::bcd32, o);
        }
        if (rest.size() >= 4) {
            for (Type t : {Type::uint64, Type::int64, Type::float64}) {
                for (const auto& o : orders) add(out, rest, address, t, o);
            }
        }
    }
    return out;
}

std::string probe_text(std::span<const std::uint16_t> regs) {
    codec::Format format;
    format.type = Type::string;
    format.length = regs.size();
    auto decoded = codec::decode(regs, format);
    const auto* text = decoded ? std::get_if<std::string>(&*decoded) : nullptr;
    if (!text) return "";
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string shown;
    for (unsigned char c : *text) {
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            shown += static_cast<char>(c);
        } else {
            shown += "\\x";
            shown += hex_digits[c >> 4];
            shown += hex_digits[c & 0xF];
        }
    }
    return shown;
}

}  // namespace regpoll::app
