#pragma once
// Modbus ASCII framing: ':' + hex(address, PDU, LRC) + CR LF. Self-delimiting, so the
// parser needs no length rules; a ':' inside a frame starts a new one (resync).
#include <cstdint>
#include <span>
#include <vector>

#include "modbus/frame.hpp"

namespace regpoll::modbus {

inline constexpr std::size_t ascii_max_frame = 513;  // characters, ':' to LF

std::vector<std::uint8_t> encode_ascii(std::uint8_t unit, std::span<const std::uint8_t> pdu);

// Parses one ADU from `buffer`. Bytes before the first ':' are consumed as garbage.
ParseResult parse_ascii(std::span<const std::uint8_t> buffer);

}  // namespace regpoll::modbus
