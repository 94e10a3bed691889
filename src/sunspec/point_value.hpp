#pragma once
// One SunSpec point's value: the codec type it decodes as, its "not implemented" sentinel,
// and raw → scaled value with its scale factor.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "codec/format.hpp"
#include "codec/value.hpp"
#include "sunspec/model_table.hpp"

namespace regpoll::sunspec {

// The codec format a point decodes with (strings: their size). nullopt for pads and for
// ipv6addr/eui48, which no regpoll type shows usefully: they are listed with no value.
std::optional<codec::Format> codec_format(const PointDef& def);

// The raw pattern that means "not implemented" for this type (int16 0x8000, uint16 and its
// kin 0xFFFF, float32 0x7FC00000, acc all ones, ...); nullopt for strings and pads.
// Accumulators: 0 is a value, unless acc_zero_missing says the device means "missing".
std::optional<std::uint64_t> sentinel(PointType type);

// The registers as one big-endian number (up to four registers).
std::uint64_t raw_bits(std::span<const std::uint16_t> regs);

// True when the registers hold the type's sentinel (or, for strings, nothing at all).
bool not_implemented(const PointDef& def, std::span<const std::uint16_t> regs,
                     bool acc_zero_missing = false);

// The value, scaled by 10^exponent for numeric points; monostate when not implemented or
// when the exponent itself is not implemented. Enums and bitfields stay raw integers.
codec::Value scaled_value(const PointDef& def, std::span<const std::uint16_t> regs,
                          std::optional<int> exponent, bool acc_zero_missing = false);

// Scale factors are -10..10 by the specification; anything else is the device's garbage.
std::optional<int> exponent_of(std::span<const std::uint16_t> regs);

}  // namespace regpoll::sunspec
