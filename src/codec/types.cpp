#include "codec/types.hpp"

#include <algorithm>
#include <array>

namespace regpoll::codec {
namespace {

// Indexed by the Type's underlying value, so the order must follow the enum.
constexpr std::array<std::string_view, 15> type_name_table = {
    "bool",   "int8",    "uint8",   "int16",   "uint16", "int32", "uint32", "int64",
    "uint64", "float16", "float32", "float64", "string", "bcd",   "bcd32",
};
static_assert(type_name_table.size() == static_cast<std::size_t>(Type::bcd32) + 1);

struct OrderName {
    std::string_view short_name;  // for 32-bit values
    std::string_view long_name;   // for 64-bit values
    Order order;
};

constexpr std::array<OrderName, 4> order_table = {{
    {"ABCD", "ABCDEFGH", {ByteOrder::big, WordOrder::big}},
    {"BADC", "BADCFEHG", {ByteOrder::little, WordOrder::big}},
    {"CDAB", "GHEFCDAB", {ByteOrder::big, WordOrder::little}},
    {"DCBA", "HGFEDCBA", {ByteOrder::little, WordOrder::little}},
}};

bool iequals(std::string_view a, std::string_view b) {
    auto lower = [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::optional<Type> parse_type(std::string_view name) {
    for (std::size_t i = 0; i < type_name_table.size(); ++i) {
        if (type_name_table[i] == name) return static_cast<Type>(i);
    }
    return std::nullopt;
}

std::string_view type_name(Type type) {
    const auto index = static_cast<std::size_t>(type);
    return index < type_name_table.size() ? type_name_table[index] : std::string_view("?");
}

std::span<const std::string_view> type_names() {
    return type_name_table;
}

std::optional<Order> parse_order(std::string_view name) {
    for (const auto& entry : order_table) {
        if (iequals(name, entry.short_name) || iequals(name, entry.long_name)) return entry.order;
    }
    return std::nullopt;
}

std::string_view order_name(Order order, std::size_t registers) {
    for (const auto& entry : order_table) {
        if (entry.order == order) return registers > 2 ? entry.long_name : entry.short_name;
    }
    return "?";
}

std::optional<ByteOrder> parse_byte_order(std::string_view name) {
    if (iequals(name, "big")) return ByteOrder::big;
    if (iequals(name, "little")) return ByteOrder::little;
    return std::nullopt;
}

std::optional<WordOrder> parse_word_order(std::string_view name) {
    if (iequals(name, "big")) return WordOrder::big;
    if (iequals(name, "little")) return WordOrder::little;
    return std::nullopt;
}

std::optional<RegisterByte> parse_register_byte(std::string_view name) {
    if (iequals(name, "high")) return RegisterByte::high;
    if (iequals(name, "low")) return RegisterByte::low;
    return std::nullopt;
}

std::string_view byte_order_name(ByteOrder order) {
    return order == ByteOrder::big ? "big" : "little";
}

std::string_view word_order_name(WordOrder order) {
    return order == WordOrder::big ? "big" : "little";
}

std::string_view register_byte_name(RegisterByte byte) {
    return byte == RegisterByte::high ? "high" : "low";
}

}  // namespace regpoll::codec
