#pragma once
// Where a simulated device listens, as a URI: tcp://HOST:PORT (Modbus TCP),
// rtu+tcp://HOST:PORT and ascii+tcp://HOST:PORT (serial frames over a raw TCP stream, as a
// serial-to-Ethernet converter carries them), rtu:///dev/X and ascii:///dev/X (a serial
// line or one end of a socat pty pair; query: baud, parity N/E/O, data, stop). Port 0
// lets the system pick a free port. Serial defaults follow the serial line specification
// and regpoll's own links: 19200 baud, even parity, 8 data bits (ASCII 7), 1 stop bit
// with parity and 2 without.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "modbus/frame_dump.hpp"

namespace regpoll::sim {

struct ListenAddress {
    modbus::Framing framing = modbus::Framing::mbap;
    bool serial = false;
    std::string host;  // network listeners
    std::uint16_t port = 502;
    std::string device;  // serial listeners
    unsigned baud = 19200;
    char parity = 'E';
    unsigned data_bits = 8;
    unsigned stop_bits = 1;

    // Back as a URI, for messages.
    std::string to_string() const;
};

// Errors name the URI and what is wrong: `"tcp://:5020" has no host`.
Expected<ListenAddress, std::string> parse_listen_address(std::string_view uri);

}  // namespace regpoll::sim
