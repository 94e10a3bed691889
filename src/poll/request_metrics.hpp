#pragma once
// Per-device request figures that only grow, for /metrics: Prometheus computes rates and
// handles resets itself, so nothing here is ever cleared (the log's stats lines keep their
// own counters, reset every stats_interval). Updated on the poll loop; readers take copies.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <system_error>

namespace regpoll::poll {

struct RequestMetrics {
    // Upper bounds of the latency histogram's buckets in seconds: 5 ms (a TCP device next
    // door) to 5 s (one 50-register read at 9600 baud RTU is about 130 ms on the wire).
    static constexpr std::array<double, 10> bucket_bounds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,  1.0,   2.5,  5.0};

    std::uint64_t requests = 0;
    std::uint64_t timeouts = 0;
    std::map<std::string, std::uint64_t> errors;  // by error_reason()
    // Requests whose latency fell into each bucket (not cumulative); the last is above 5 s.
    std::array<std::uint64_t, bucket_bounds.size() + 1> latency_buckets{};
    double latency_sum_seconds = 0;
    std::int64_t last_success_ms = 0;  // Unix ms of the last answered request; 0: none yet
    std::uint64_t missed_deadlines = 0;

    // One request ended after `latency`, with `ec` (none: answered) at `now_ms`.
    void record(std::chrono::microseconds latency, std::error_code ec, std::int64_t now_ms);
};

// What went wrong, as a metric label: "timeout", "crc", "exception_2", "frame" (a malformed
// or mismatched answer), "io" (the connection), "cancelled".
std::string error_reason(std::error_code ec);

}  // namespace regpoll::poll
