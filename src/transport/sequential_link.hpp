#pragma once
// The link for media that carry one request at a time: serial lines (RTU, ASCII), serial
// framing over a TCP connection to a converter, and sockets that devices dial in on. All
// units on the medium share its queue; reads and writes alike wait their turn. The medium
// itself (port, connection, listener) is a Connector (byte_stream.hpp). Private to
// src/transport: users get a Link from make_link().
//
// Timing, per request:
//   1. wait until the line has been quiet for `silence` (RTU: t3.5) after the last byte
//      seen or sent, `pause` after the previous transaction, `turnaround` after a
//      broadcast — and after a framing error for `resync`, whatever arrives meanwhile
//      being discarded;
//   2. send; the response timeout starts when the request is on the wire (write done, plus
//      its wire time) and also allows the wire time of the expected response;
//   3. the response ends when its expected length is in (or CR LF, or the MBAP length),
//      never by waiting; a silence longer than `max_gap` inside it, a bad checksum, the
//      wrong unit or a mangled echo fail the request and the line resynchronises (1).
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "modbus/frame_dump.hpp"
#include "transport/byte_stream.hpp"
#include "transport/link.hpp"
#include "transport/log.hpp"
#include "transport/rtu_timing.hpp"

namespace regpoll::transport {

// What the kernel, a USB adapter (an FTDI chip delivers every 16 ms by default) or a
// converter add to the silences a user-space program observes. Added to t1.5 for the
// default gap limit, and to the quiet time needed to resynchronise after an error.
inline constexpr Milliseconds latency_allowance{50};

struct SequentialTiming {
    Nanoseconds character{0};  // wire time of one character; 0 = not a serial line
    Nanoseconds silence{0};    // quiet line before every request (RTU t3.5)
    Nanoseconds max_gap{0};    // longest silence inside a frame; 0 = not checked
    Nanoseconds resync{0};     // quiet line needed after a framing error
};

struct SequentialConfig {
    std::string name;  // the URI, for describe() and logs
    modbus::Framing framing = modbus::Framing::rtu;
    bool broadcast = true;  // unit 0 is broadcast: no reply (serial framings, not MBAP)
    bool echo = false;
    SequentialTiming timing;
    Milliseconds turnaround{100};
    Milliseconds pause{0};
    Milliseconds default_timeout{1000};  // for requests that come with a timeout of 0
    Milliseconds open_timeout{3000};     // connect, or wait for a dial-in
    Milliseconds reconnect_initial{500};
    Milliseconds reconnect_cap{30000};
    LogFn log;
};

std::shared_ptr<Link> make_sequential_link(boost::asio::io_context& io,
                                           std::unique_ptr<Connector> connector,
                                           SequentialConfig config);

}  // namespace regpoll::transport
