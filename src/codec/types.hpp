#pragma once
// The data types a register block can hold and the orders its bytes and words come in.
// The names here are the ones used in device profiles and on the command line.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regpoll::codec {

enum class Type : std::uint8_t {
    boolean,  // "bool": one register, true when non-zero
    int8,     // one byte of one register, chosen by RegisterByte
    uint8,
    int16,
    uint16,
    int32,
    uint32,
    int64,
    uint64,
    float16,
    float32,
    float64,
    string,  // Format::length registers, two characters per register
    bcd,     // packed BCD, 4 digits in one register
    bcd32,   // packed BCD, 8 digits over two registers
};

// Order of the two bytes inside each register. Modbus itself is big endian (high byte first
// on the wire); little means the device stores its value byte-swapped in every register.
enum class ByteOrder : std::uint8_t { big, little };

// Order of the registers of a multi-register value: big = most significant word first.
enum class WordOrder : std::uint8_t { big, little };

// Which byte of the register an int8/uint8 lives in. high = bits 15..8 of the register as
// received (the first byte on the wire), independent of ByteOrder.
enum class RegisterByte : std::uint8_t { high, low };

// Byte and word order together; the usual letter names (ABCD, CDAB, ...) map onto this.
struct Order {
    ByteOrder byte = ByteOrder::big;
    WordOrder word = WordOrder::big;

    friend bool operator==(const Order&, const Order&) = default;
};

// Exact, case-sensitive names: "bool", "int8", ..., "bcd32".
std::optional<Type> parse_type(std::string_view name);
std::string_view type_name(Type type);
// Every type name in declaration order, for "expected one of ..." messages.
std::span<const std::string_view> type_names();

// Registers a value of this type occupies. For strings this is string_length (which, like
// Format::length, counts registers, not characters); other types ignore it.
// Inline: the decoder checks it for every value.
constexpr std::size_t register_count(Type type, std::size_t string_length) {
    switch (type) {
        case Type::int32:
        case Type::uint32:
        case Type::float32:
        case Type::bcd32:
            return 2;
        case Type::int64:
        case Type::uint64:
        case Type::float64:
            return 4;
        case Type::string:
            return string_length;
        default:
            return 1;
    }
}

// Integer types and the BCD types: the ones encoded by rounding and range checks.
constexpr bool is_integer_type(Type type) {
    switch (type) {
        case Type::boolean:
        case Type::float16:
        case Type::float32:
        case Type::float64:
        case Type::string:
            return false;
        default:
            return true;
    }
}

constexpr bool is_float_type(Type type) {
    return type == Type::float16 || type == Type::float32 || type == Type::float64;
}

// Accepts, case-insensitively, ABCD, BADC, CDAB, DCBA and their 64-bit spellings ABCDEFGH,
// BADCFEHG, GHEFCDAB, HGFEDCBA. Letters name bytes, A the most significant.
std::optional<Order> parse_order(std::string_view name);
// "ABCD" style for values of one or two registers, "ABCDEFGH" style for four.
std::string_view order_name(Order order, std::size_t registers = 2);

// "big"/"little" and "high"/"low", case-insensitive.
std::optional<ByteOrder> parse_byte_order(std::string_view name);
std::optional<WordOrder> parse_word_order(std::string_view name);
std::optional<RegisterByte> parse_register_byte(std::string_view name);
std::string_view byte_order_name(ByteOrder order);
std::string_view word_order_name(WordOrder order);
std::string_view register_byte_name(RegisterByte byte);

}  // namespace regpoll::codec
