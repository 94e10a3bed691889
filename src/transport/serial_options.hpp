#pragma once
// The query keys of the serial-framing and listen URIs, checked once when the link is made
// (load → validate → compile): rtu://, ascii://, rtu+tcp://, ascii+tcp://, rtu+listen://,
// tcp+listen://. Each scheme accepts only the keys that mean something for it; anything
// else is an error naming the key. Errors read `<uri>: baud "960O" is not a number`.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "transport/rtu_timing.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

struct BusOptions {
    // rtu:// and ascii:// only. Defaults follow the serial line specification: 19200
    // baud, even parity, 8 data bits for RTU and 7 for ASCII, one stop bit with parity
    // and two without (so a character is always 11 bits, or 10 for ASCII).
    LineFormat line;
    bool echo = false;  // the adapter echoes every byte sent: discard that echo
    // Quiet time after a broadcast (unit 0), which gets no reply (MSL §2.4.1).
    std::chrono::milliseconds turnaround{100};
    // Extra quiet time between the end of one transaction and the next request.
    std::chrono::milliseconds pause{0};
    // Response timeout of the bus, for requests that come without one of their own.
    std::optional<std::chrono::milliseconds> timeout;
    // Longest silence accepted inside one frame; 0 turns the check off. Unset: the
    // medium's default (serial RTU: t1.5 + 50 ms, serial ASCII: 1 s, over TCP: off).
    std::optional<std::chrono::milliseconds> gap;
    // Listen schemes: source addresses allowed to connect (empty: everyone), as given.
    std::vector<std::string> allow;
    // Listen schemes: how long a request waits for the device to dial in.
    std::chrono::milliseconds wait{10000};
};

// Parses and checks the query of `uri` for its scheme (one of the six above).
Expected<BusOptions, std::string> parse_bus_options(const Uri& uri);

}  // namespace regpoll::transport
