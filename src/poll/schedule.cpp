#include "poll/schedule.hpp"

#include <algorithm>

namespace regpoll::poll {

NextDeadline next_deadline(TimePoint previous_due, Duration interval, TimePoint now) {
    if (interval <= Duration::zero()) return {now, 0};
    NextDeadline next{previous_due + interval, 0};
    if (next.at <= now) {
        const auto behind = (now - next.at) / interval + 1;  // slots that already passed
        next.at += behind * interval;
        next.missed = static_cast<std::uint64_t>(behind);
    }
    return next;
}

Duration start_offset(std::size_t index, std::size_t count, Duration interval) {
    if (count == 0 || interval <= Duration::zero()) return Duration::zero();
    return interval * static_cast<long long>(index % count) / static_cast<long long>(count);
}

std::optional<TimePoint> Schedule::next_due() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().due;
}

void Schedule::pop_due(TimePoint now, std::vector<Entry>& due) {
    due.clear();
    while (!heap_.empty() && heap_.top().due <= now) {
        due.push_back(heap_.top());
        heap_.pop();
    }
}

Availability::Change Availability::success() {
    failures_ = 0;
    const bool was_online = known_ && !offline_;
    offline_ = false;
    known_ = true;
    return was_online ? Change::none : Change::went_online;
}

Availability::Change Availability::failure() {
    ++failures_;
    if (!offline_ && failures_ >= offline_after_) {
        offline_ = true;
        known_ = true;
        return Change::went_offline;
    }
    return Change::none;
}

Duration Availability::poll_delay(Duration interval) const {
    if (!offline_) return interval;
    // 2 × interval after going offline, then 4×, 8× ... up to the cap (never below interval).
    Duration delay = std::max(interval, Duration(std::chrono::seconds(1)));
    for (unsigned i = offline_after_; i <= failures_ && delay < backoff_max_; ++i) delay *= 2;
    return std::max(interval, std::min(delay, backoff_max_));
}

}  // namespace regpoll::poll
