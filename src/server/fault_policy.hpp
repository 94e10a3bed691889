#pragma once
// Misbehaviour on purpose, so pollers can be tested against devices as they are: slow,
// lossy, busy. The policy only decides; the servers carry the decision out. Randomness
// comes from outside (a seed or a source), so a test replays the same faults.
//
// Faults that are not random live with what they concern: a limit on registers per read
// is RequestLimits (request_handler.hpp), a device that allows one connection only is
// TcpServerOptions::single_connection.
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "modbus/error.hpp"

namespace regpoll::server {

using Milliseconds = std::chrono::milliseconds;

struct FaultSettings {
    Milliseconds delay{0};   // every reply is sent this long after its request was taken up
                             // (arrived, or the reply before it was due: stream_session.hpp)
    Milliseconds jitter{0};  // ... plus a uniform random 0..jitter
    // Rates are probabilities per request, 0..1.
    double drop_rate = 0;       // executed (writes stick) but never answered
    double corrupt_rate = 0;    // answered with a broken CRC (RTU) or LRC (ASCII); MBAP has
                                // no checksum and is sent intact
    double exception_rate = 0;  // refused with `exception_code`, not executed
    modbus::Errc exception_code = modbus::Errc::server_device_busy;
    double disconnect_rate = 0;  // TCP: the server closes the connection instead of answering

    bool any() const {
        return delay.count() > 0 || jitter.count() > 0 || drop_rate > 0 || corrupt_rate > 0 ||
               exception_rate > 0 || disconnect_rate > 0;
    }
};

// What to do with one request. At most one of disconnect / exception applies; drop and
// corrupt apply to the reply.
struct FaultDecision {
    bool disconnect = false;
    bool exception = false;
    bool drop = false;
    bool corrupt = false;
    Milliseconds delay{0};
};

// Uniform in [0, 1).
using RandomSource = std::function<double()>;

class FaultPolicy {
  public:
    // Deterministic for a given seed.
    explicit FaultPolicy(FaultSettings settings = {}, std::uint64_t seed = 1);
    FaultPolicy(FaultSettings settings, RandomSource random);

    // One decision per request. Draws a random number only for rates strictly between 0
    // and 1 and for jitter, in a fixed order (disconnect, exception, drop, corrupt, jitter).
    FaultDecision decide();

    const FaultSettings& settings() const { return settings_; }

  private:
    double next_random();
    bool happens(double rate);

    FaultSettings settings_;
    std::mt19937_64 engine_;
    RandomSource random_;  // replaces engine_ when set
};

}  // namespace regpoll::server
