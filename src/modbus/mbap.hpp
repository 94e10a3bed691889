#pragma once
// Modbus TCP framing: 7-byte MBAP header (transaction, protocol 0, length, unit) + PDU.
#include <cstdint>
#include <span>
#include <vector>

#include "modbus/frame.hpp"

namespace regpoll::modbus {

inline constexpr std::size_t mbap_header_size = 7;

std::vector<std::uint8_t> encode_mbap(std::uint16_t transaction, std::uint8_t unit,
                                      std::span<const std::uint8_t> pdu);
// The same ADU appended to `out` (a link's send buffer, reused).
void append_mbap(std::vector<std::uint8_t>& out, std::uint16_t transaction, std::uint8_t unit,
                 std::span<const std::uint8_t> pdu);

// Parses one ADU from the start of `buffer`. An error (protocol id not 0, impossible
// length) means the stream cannot be trusted any more: the caller closes the connection.
ParseResult parse_mbap(std::span<const std::uint8_t> buffer);

}  // namespace regpoll::modbus
