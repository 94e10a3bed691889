#pragma once
// Frame checksums of the serial Modbus framings.
#include <cstdint>
#include <span>

namespace regpoll::codec {

// CRC-16/MODBUS (poly 0xA001 reflected, preset 0xFFFF) over address + PDU.
// On the wire the low byte goes first.
std::uint16_t crc16(std::span<const std::uint8_t> bytes);

// Modbus ASCII LRC: two's complement of the 8-bit sum of the binary bytes.
std::uint8_t lrc(std::span<const std::uint8_t> bytes);

}  // namespace regpoll::codec
