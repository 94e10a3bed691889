#pragma once
// Putting 16-bit registers together into wider integers and taking them apart again, and
// two's complement between the unsigned bits and signed values. Pure, header-only and
// constexpr so the decoder's inner loop inlines them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/types.hpp"

namespace regpoll::codec {

constexpr std::uint16_t swap_bytes(std::uint16_t word) {
    return static_cast<std::uint16_t>((word << 8) | (word >> 8));
}
constexpr std::uint8_t high_byte(std::uint16_t word) {
    return static_cast<std::uint8_t>(word >> 8);
}
constexpr std::uint8_t low_byte(std::uint16_t word) {
    return static_cast<std::uint8_t>(word & 0xFFU);
}
constexpr std::uint16_t make_word(std::uint8_t high, std::uint8_t low) {
    return static_cast<std::uint16_t>((high << 8) | low);
}

// The registers as an unsigned integer of regs.size() * 16 bits (at most 4 registers; more
// are ignored). Each register is byte-swapped first when `bytes` is little; then with word
// order big the first register is the most significant.
constexpr std::uint64_t read_bits(std::span<const std::uint16_t> regs, ByteOrder bytes,
                                  WordOrder words) {
    const std::size_t count = regs.size() < 4 ? regs.size() : 4;
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint16_t reg = regs[words == WordOrder::big ? i : count - 1 - i];
        bits = (bits << 16) | (bytes == ByteOrder::big ? reg : swap_bytes(reg));
    }
    return bits;
}

// Inverse of read_bits: fills all of `out` (at most 4 registers) from the low
// out.size() * 16 bits of `bits`.
constexpr void write_bits(std::uint64_t bits, std::span<std::uint16_t> out, ByteOrder bytes,
                          WordOrder words) {
    const std::size_t count = out.size() < 4 ? out.size() : 4;
    for (std::size_t i = 0; i < count; ++i) {
        // i counts from the least significant word.
        const auto word = static_cast<std::uint16_t>(bits >> (16 * i));
        out[words == WordOrder::big ? count - 1 - i : i] =
            bytes == ByteOrder::big ? word : swap_bytes(word);
    }
}

// Word order only, the pyModbusTCP word_list_to_long / long_list_to_word shapes.
constexpr std::uint32_t words_to_u32(std::uint16_t first, std::uint16_t second, WordOrder order) {
    const std::array<std::uint16_t, 2> regs{first, second};
    return static_cast<std::uint32_t>(read_bits(regs, ByteOrder::big, order));
}
constexpr std::array<std::uint16_t, 2> u32_to_words(std::uint32_t value, WordOrder order) {
    std::array<std::uint16_t, 2> regs{};
    write_bits(value, regs, ByteOrder::big, order);
    return regs;
}
constexpr std::uint64_t words_to_u64(std::span<const std::uint16_t, 4> regs, WordOrder order) {
    return read_bits(regs, ByteOrder::big, order);
}
constexpr std::array<std::uint16_t, 4> u64_to_words(std::uint64_t value, WordOrder order) {
    std::array<std::uint16_t, 4> regs{};
    write_bits(value, regs, ByteOrder::big, order);
    return regs;
}

// Whole lists; a trailing incomplete group of words is ignored, as pyModbusTCP does.
inline std::vector<std::uint32_t> words_to_u32_list(std::span<const std::uint16_t> regs,
                                                    WordOrder order) {
    std::vector<std::uint32_t> out;
    out.reserve(regs.size() / 2);
    for (std::size_t i = 0; i + 2 <= regs.size(); i += 2) {
        out.push_back(
            static_cast<std::uint32_t>(read_bits(regs.subspan(i, 2), ByteOrder::big, order)));
    }
    return out;
}
inline std::vector<std::uint64_t> words_to_u64_list(std::span<const std::uint16_t> regs,
                                                    WordOrder order) {
    std::vector<std::uint64_t> out;
    out.reserve(regs.size() / 4);
    for (std::size_t i = 0; i + 4 <= regs.size(); i += 4) {
        out.push_back(read_bits(regs.subspan(i, 4), ByteOrder::big, order));
    }
    return out;
}
inline std::vector<std::uint16_t> u32_list_to_words(std::span<const std::uint32_t> values,
                                                    WordOrder order) {
    std::vector<std::uint16_t> out(values.size() * 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
        write_bits(values[i], std::span(out).subspan(2 * i, 2), ByteOrder::big, order);
    }
    return out;
}
inline std::vector<std::uint16_t> u64_list_to_words(std::span<const std::uint64_t> values,
                                                    WordOrder order) {
    std::vector<std::uint16_t> out(values.size() * 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        write_bits(values[i], std::span(out).subspan(4 * i, 4), ByteOrder::big, order);
    }
    return out;
}

// Two's complement. Since C++20 the unsigned-to-signed conversions are defined as modulo
// 2^N, so these are plain casts spelled out for readability at the call site.
constexpr std::int8_t to_signed8(std::uint8_t raw) {
    return static_cast<std::int8_t>(raw);
}
constexpr std::int16_t to_signed16(std::uint16_t raw) {
    return static_cast<std::int16_t>(raw);
}
constexpr std::int32_t to_signed32(std::uint32_t raw) {
    return static_cast<std::int32_t>(raw);
}
constexpr std::int64_t to_signed64(std::uint64_t raw) {
    return static_cast<std::int64_t>(raw);
}
constexpr std::uint8_t to_unsigned8(std::int8_t value) {
    return static_cast<std::uint8_t>(value);
}
constexpr std::uint16_t to_unsigned16(std::int16_t value) {
    return static_cast<std::uint16_t>(value);
}
constexpr std::uint32_t to_unsigned32(std::int32_t value) {
    return static_cast<std::uint32_t>(value);
}
constexpr std::uint64_t to_unsigned64(std::int64_t value) {
    return static_cast<std::uint64_t>(value);
}

// Any width from 1 to 64 bits (pyModbusTCP get_2comp): sign-extends the low `bits` bits of
// `raw`; higher bits are ignored. Widths outside 1..64 are treated as 64.
constexpr std::int64_t to_signed(std::uint64_t raw, unsigned bits) {
    if (bits == 0 || bits >= 64) return static_cast<std::int64_t>(raw);
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
    const std::uint64_t low = raw & mask;
    return static_cast<std::int64_t>((low ^ sign) - sign);
}
// The `bits`-bit two's complement pattern of `value` (the low bits, truncated).
constexpr std::uint64_t to_unsigned(std::int64_t value, unsigned bits) {
    const auto raw = static_cast<std::uint64_t>(value);
    if (bits == 0 || bits >= 64) return raw;
    return raw & ((std::uint64_t{1} << bits) - 1);
}

}  // namespace regpoll::codec
