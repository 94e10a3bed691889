#include "transport/rtu_timing.hpp"

namespace regpoll::transport {

unsigned bits_per_character(const LineFormat& line) {
    return 1 + line.data_bits + (line.parity == Parity::none ? 0 : 1) + line.stop_bits;
}

Nanoseconds character_time(const LineFormat& line) { return wire_time(line, 1); }

Nanoseconds wire_time(const LineFormat& line, std::size_t bytes) {
    if (line.baud == 0) return Nanoseconds::zero();
    // bits * 1e9 / baud, rounded to the nearest nanosecond; fits 64 bits for any frame.
    const unsigned long long bits = static_cast<unsigned long long>(bytes) * bits_per_character(line);
    return Nanoseconds((bits * 1'000'000'000ULL + line.baud / 2) / line.baud);
}

RtuTiming rtu_timing(const LineFormat& line) {
    if (line.baud > 19200) return {Nanoseconds(750'000), Nanoseconds(1'750'000)};
    const Nanoseconds seven_chars = wire_time(line, 7);  // 3.5 chars = 7 half characters
    const Nanoseconds three_chars = wire_time(line, 3);
    return {three_chars / 2, seven_chars / 2};
}

}  // namespace regpoll::transport
