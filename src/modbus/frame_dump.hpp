#pragma once
// Frame dumps for --debug, in pyModbusTCP's style: header bytes in brackets, then the
// PDU: `Tx [E7 53 00 00 00 06 01] 03 00 00 00 04`; RTU: `Rx [01] 03 02 00 2A [B8 5F]`.
#include <cstdint>
#include <span>
#include <string>

namespace regpoll::modbus {

enum class Framing { mbap, rtu, ascii };

std::string hex_bytes(std::span<const std::uint8_t> bytes);
std::string dump_frame(Framing framing, std::span<const std::uint8_t> adu);

}  // namespace regpoll::modbus
