#pragma once
// Time and randomness as the simulator's generators see them. Both come from outside, so
// a test drives a generator through a whole day in virtual time and replays its noise.
#include <chrono>
#include <cstdint>
#include <functional>

namespace regpoll::sim {

// Wall-clock time: the solar curve needs the time of day, energy counters the day.
using SimClock = std::chrono::system_clock;
using SimTime = SimClock::time_point;

// Uniform in [0, 1).
using RandomSource = std::function<double()>;

// Local time as an offset from UTC (east positive), fixed for a run: a simulated day does
// not need daylight-saving changes.
struct LocalZone {
    std::chrono::seconds utc_offset{0};

    // Hours since local midnight, 0 <= h < 24.
    double hours(SimTime t) const;
    // Local calendar day number (days since 1970-01-01, local); changes at local midnight.
    std::int64_t day(SimTime t) const;
    // The machine's current zone (from localtime_r).
    static LocalZone system();
};

// Seconds between two times as a double (negative if `to` is earlier).
inline double seconds_between(SimTime from, SimTime to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace regpoll::sim
