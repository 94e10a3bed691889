#pragma once
// Serial line timing (MODBUS over Serial Line V1.02, §2.5.1.1), as pure functions of the
// line format. A character is start bit + data bits + parity bit (if any) + stop bits, so
// the standard 8E1 and 8N2 formats are 11 bits. Times are nanoseconds so that the fixed
// values above 19200 baud (t1.5 = 750 µs, t3.5 = 1750 µs) and fractions of a character
// stay exact.
#include <chrono>
#include <cstddef>

namespace regpoll::transport {

enum class Parity { none, even, odd };

struct LineFormat {
    unsigned baud = 19200;
    Parity parity = Parity::even;
    unsigned data_bits = 8;
    unsigned stop_bits = 1;
};

using Nanoseconds = std::chrono::nanoseconds;

// Bits on the wire per character: start + data + parity + stop.
unsigned bits_per_character(const LineFormat& line);

// Time one character takes on the wire.
Nanoseconds character_time(const LineFormat& line);

// Time `bytes` characters take on the wire, back to back.
Nanoseconds wire_time(const LineFormat& line, std::size_t bytes);

struct RtuTiming {
    Nanoseconds t15;  // longest silence allowed between two characters of one frame
    Nanoseconds t35;  // shortest silence between two frames
};

// 1.5 and 3.5 character times; fixed at 750 µs and 1750 µs above 19200 baud, where the
// specification stops scaling them (they would be too short for a UART interrupt load).
RtuTiming rtu_timing(const LineFormat& line);

}  // namespace regpoll::transport
