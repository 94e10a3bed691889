#pragma once
// One point's engineering value as the registers a device would hold, and the value a
// poller decoding them with the same profile gets back: the exact inverse of
// poll::decode_point (scale and offset, the scale register's power of ten, `bit`, the
// int8/uint8 byte, `map` texts, strings, BCD, floats of every width and order).
//
// The value is first put on the encoding's grid (rounded to a raw integer, or to the
// float width) and kept within the type's range, so the intended value is one the
// registers can hold. A raw value listed in the point's `nan` is never produced by
// accident: the encoder moves to the neighbouring raw value instead. Only an explicit
// "not available" (std::monostate) writes the first `nan` sentinel.
#include <cstdint>
#include <string>
#include <vector>

#include "codec/value.hpp"
#include "common/expected.hpp"
#include "profile/point.hpp"

namespace regpoll::sim {

struct EncodedPoint {
    // Registers: point.width() of them; coils and discrete inputs: none (see `bit`).
    std::vector<std::uint16_t> registers;
    // One-register points: the bits of registers[0] that belong to the point (a `bit`
    // point's bit, an int8/uint8's byte); the rest of the register is someone else's.
    std::uint16_t mask = 0xFFFF;
    bool bit = false;       // coils and discrete inputs
    codec::Value intended;  // what the poller decodes, before its precision rounding
};

// `exponent`: the power of ten in the point's scale_register (ignored without one).
Expected<EncodedPoint, std::string> encode_point(const profile::Point& point,
                                                 const codec::Value& value, int exponent = 0);

// Whether a value of this point fits the raw range of its type with `exponent`, for
// choosing a scale factor: |value| needs at most the type's digits.
bool fits_with_exponent(const profile::Point& point, double value, int exponent);

// What the poller shows for a raw key of a mapped point: the text, or the key as text.
std::string map_text(const profile::Point& point, std::int64_t key);

}  // namespace regpoll::sim
