#pragma once
// When a request reached a TCP socket, from the kernel's receive timestamp. A simulated
// device's reply delay runs from there, as on a device with a processor of its own: the
// time this process takes to get round to reading (another device's reply being sent, a
// busy machine) does not add to it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

namespace regpoll::server::detail {

using SteadyTime = std::chrono::steady_clock::time_point;

// Asks the kernel to stamp what arrives on `fd` (SO_TIMESTAMPNS). Best effort: without
// stamps, arrival is the time of the read.
void enable_receive_timestamps(int fd);

struct StampedRead {
    std::size_t bytes = 0;       // 0 unless bytes were read
    std::error_code error;       // the read failed
    bool end_of_stream = false;  // the peer closed its side
    bool would_block = false;    // nothing there after all; wait again
    SteadyTime arrival;          // when the newest of these bytes arrived
};

// One non-blocking read from a stream socket into `into`.
StampedRead read_stamped(int fd, std::span<std::uint8_t> into);

// The arrival of bytes stamped `stamp_age` ago (CLOCK_REALTIME now minus the stamp) on the
// steady clock: a stamp from the future or older than a second (the wall clock was set)
// counts as "now".
SteadyTime arrival_from_age(SteadyTime now, std::chrono::nanoseconds stamp_age);

}  // namespace regpoll::server::detail
