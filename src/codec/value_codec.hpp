#pragma once
// Registers ↔ Value for one point, in both directions. Bad input (too few registers, invalid
// BCD, a value the type cannot hold) is an error message, never an exception; the message
// names the type and what was wrong.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codec/format.hpp"
#include "codec/value.hpp"
#include "common/expected.hpp"

namespace regpoll::codec {

// Reads register_count(format) registers from the front of `regs` (extra ones are ignored).
// Result: raw value, then raw * scale + offset, see Value for the alternative chosen.
// Strings lose trailing NULs and spaces. Allocates only for strings and errors.
Expected<Value, std::string> decode(std::span<const std::uint16_t> regs, const Format& format);

// The inverse of decode: (value - offset) / scale, rounded to nearest (halves away from zero)
// for integer types, then checked against the type's range. Refused: values out of range,
// non-finite values for integer types, strings longer than length * 2 characters (shorter
// ones are padded with NUL), strings for numeric types and numbers for strings. A bool
// encodes as 0/1 for integer and BCD types; the bool type takes a bool or the numbers 0 and 1.
// int8/uint8 give a register whose other byte is 0: writing one byte alone needs a
// read-modify-write, which is the caller's business.
Expected<std::vector<std::uint16_t>, std::string> encode(const Value& value, const Format& format);

// Registers holding `bits` as the type's raw pattern (two's complement for signed types,
// IEEE bits for floats, BCD nibbles for bcd), without scale or offset. Refuses bits wider
// than the type and invalid BCD; not defined for strings.
Expected<std::vector<std::uint16_t>, std::string> encode_raw(std::uint64_t bits,
                                                             const Format& format);

}  // namespace regpoll::codec
