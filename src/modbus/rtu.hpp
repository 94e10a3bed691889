#pragma once
// Modbus RTU framing: address + PDU + CRC-16 (low byte first), no length field. The end
// of a frame comes from the PDU length rules (pdu_length.hpp), never from a timeout.
#include <cstdint>
#include <span>
#include <vector>

#include "modbus/frame.hpp"

namespace regpoll::modbus {

inline constexpr std::size_t rtu_max_adu = 256;

std::vector<std::uint8_t> encode_rtu(std::uint8_t unit, std::span<const std::uint8_t> pdu);

// Parses one ADU from the start of `buffer`. `request` (for responses) resolves lengths
// only the request knows. A CRC error consumes the would-be frame; an impossible
// function code consumes everything (the line must resynchronise on silence).
ParseResult parse_rtu(std::span<const std::uint8_t> buffer, Direction direction,
                      std::span<const std::uint8_t> request = {});

}  // namespace regpoll::modbus
