#pragma once
// regpoll probe's arithmetic, apart from any I/O: every way a block of registers can be
// read (16-, 32- and 64-bit types in each byte/word order, BCD, text), each with a hint
// when the reading is implausible. Decoding is the codec's; this only chooses formats and
// judges results.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codec/types.hpp"
#include "codec/value.hpp"

namespace regpoll::app {

struct ProbeReading {
    std::uint32_t address = 0;  // of the reading's first register
    codec::Type type = codec::Type::uint16;
    std::string order;          // "" for one register; "ABCD"… for two, "ABCDEFGH"… for four
    codec::Value value;         // monostate when the registers are not this type (invalid BCD)
    std::string hint;           // "" when plausible, else why not: "NaN", "huge", …
};

// Every reading starting at every register of `regs` (the first at `first_address`) that
// fits in the block: uint16, int16 and bcd per register; uint32, int32, float32 in ABCD,
// CDAB, BADC, DCBA and bcd32 in ABCD and CDAB per pair; uint64, int64, float64 in
// ABCDEFGH, GHEFCDAB, BADCFEHG, HGFEDCBA per four. Ordered by address, then as listed.
std::vector<ProbeReading> probe_readings(std::span<const std::uint16_t> regs, std::uint32_t first_address);

// Why a reading is implausible, or "" (see probe_readings): NaN, infinite, denormal, tiny
// and huge floats, huge integers, invalid BCD, all registers 0xFFFF, the lowest value of a
// signed type (0x8000…, a common "not available").
std::string probe_hint(codec::Type type, const codec::Value& value, std::span<const std::uint16_t> regs);

// The block as text, two characters per register, high byte first; bytes outside
// printable ASCII as \xNN, trailing NULs and spaces dropped (the codec's string rule).
std::string probe_text(std::span<const std::uint16_t> regs);

}  // namespace regpoll::app
