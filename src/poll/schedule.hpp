#pragma once
// Scheduling decisions as pure code over time points passed in (the clock is injected), so
// they are tested in virtual time: fixed-rate deadlines that never drift, start offsets
// that spread devices over their interval, and device availability with back-off.
#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace regpoll::poll {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Duration = SteadyClock::duration;

// The first deadline after `previous_due` that is still ahead of `now`, on the grid
// previous_due + k * interval (no drift); `missed` counts the slots skipped over.
struct NextDeadline {
    TimePoint at;
    std::uint64_t missed = 0;
};
NextDeadline next_deadline(TimePoint previous_due, Duration interval, TimePoint now);

// Spreads `count` devices evenly over one interval: device `index` starts this far in.
Duration start_offset(std::size_t index, std::size_t count, Duration interval);

// Due times of (device, group) pairs; the poller keeps one timer for the earliest.
class Schedule {
public:
    struct Entry {
        TimePoint due;
        std::size_t device = 0;
        std::size_t group = 0;
        // Due together: the later group (the slower: groups go fastest first) starts first,
        // so a scale factor it keeps for the faster groups is read before they decode.
        bool operator>(const Entry& o) const { return due > o.due || (due == o.due && group < o.group); }
    };
    void add(const Entry& e) { heap_.push(e); }
    std::optional<TimePoint> next_due() const;
    // Removes every entry due at or before `now` into `due` (emptied first), earliest first.
    // `due` keeps its capacity from call to call: the poller's timer fires up to hundreds of
    // times a second and allocates nothing for this.
    void pop_due(TimePoint now, std::vector<Entry>& due);
    bool empty() const { return heap_.empty(); }
    void clear() { heap_ = {}; }

private:
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

// Online/offline with exponential back-off: `offline_after` consecutive failed cycles take
// a device offline; while offline it is polled every interval × 2^k (capped); the first
// success brings it back.
class Availability {
public:
    enum class Change { none, went_online, went_offline };

    Availability(unsigned offline_after, Duration backoff_max)
        : offline_after_(offline_after), backoff_max_(backoff_max) {}

    Change success();
    Change failure();
    bool offline() const { return offline_; }
    bool known() const { return known_; }
    unsigned consecutive_failures() const { return failures_; }
    // How long after this cycle's start the next one starts.
    Duration poll_delay(Duration interval) const;

private:
    unsigned offline_after_;
    Duration backoff_max_;
    unsigned failures_ = 0;
    bool offline_ = false;
    bool known_ = false;  // availability announced at least once
};

}  // namespace regpoll::poll
