#pragma once
// Single bits of an integer: status words and flag registers. Bit offset 0 is the least
// significant bit. An offset past the width of the type is not an error: test_bit reports
// false and the others return the value unchanged (no undefined shifts on bad input).
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace regpoll::codec {

template <std::unsigned_integral T>
constexpr bool test_bit(T value, unsigned offset) {
    if (offset >= std::numeric_limits<T>::digits) return false;
    return ((value >> offset) & 1U) != 0;
}

template <std::unsigned_integral T>
constexpr T set_bit(T value, unsigned offset) {
    if (offset >= std::numeric_limits<T>::digits) return value;
    return static_cast<T>(value | (T{1} << offset));
}

template <std::unsigned_integral T>
constexpr T reset_bit(T value, unsigned offset) {
    if (offset >= std::numeric_limits<T>::digits) return value;
    return static_cast<T>(value & ~(T{1} << offset));
}

template <std::unsigned_integral T>
constexpr T toggle_bit(T value, unsigned offset) {
    if (offset >= std::numeric_limits<T>::digits) return value;
    return static_cast<T>(value ^ (T{1} << offset));
}

// The 16 bits of a register, least significant first (pyModbusTCP get_bits_from_int).
constexpr std::array<bool, 16> bits_from_word(std::uint16_t word) {
    std::array<bool, 16> bits{};
    for (unsigned i = 0; i < 16; ++i) bits[i] = test_bit(word, i);
    return bits;
}

// The low `count` bits of `value` (count is capped at 64), least significant first.
inline std::vector<bool> bits_from_int(std::uint64_t value, unsigned count = 16) {
    if (count > 64) count = 64;
    std::vector<bool> bits(count);
    for (unsigned i = 0; i < count; ++i) bits[i] = test_bit(value, i);
    return bits;
}

// Inverse of bits_from_int; bits past the 64th are ignored.
template <class Bits>
constexpr std::uint64_t int_from_bits(const Bits& bits) {
    std::uint64_t value = 0;
    unsigned i = 0;
    for (bool bit : bits) {
        if (i >= 64) break;
        if (bit) value |= std::uint64_t{1} << i;
        ++i;
    }
    return value;
}

// Bytes needed to hold `bit_count` bits (coil and discrete input payloads).
constexpr std::size_t byte_length(std::size_t bit_count) {
    return (bit_count + 7) / 8;
}

}  // namespace regpoll::codec
