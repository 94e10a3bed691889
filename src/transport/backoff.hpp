#pragma once
// Reconnect back-off with the clock injected (time is passed in), so it is tested in
// virtual time. After a failure the link refuses new attempts until the delay has
// passed; the delay doubles per consecutive failure up to a cap, and resets on success.
#include <chrono>

namespace regpoll::transport {

class Backoff {
public:
    using Duration = std::chrono::steady_clock::duration;
    using TimePoint = std::chrono::steady_clock::time_point;

    Backoff(Duration initial, Duration cap) : initial_(initial), cap_(cap) {}

    bool may_attempt(TimePoint now) const { return failures_ == 0 || now >= next_attempt_; }
    void failed(TimePoint now) {
        Duration delay = initial_;
        for (unsigned i = 0; i < failures_ && delay < cap_; ++i) delay *= 2;
        if (delay > cap_) delay = cap_;
        ++failures_;
        next_attempt_ = now + delay;
    }
    void succeeded() { failures_ = 0; }
    unsigned failures() const { return failures_; }
    TimePoint next_attempt() const { return next_attempt_; }

private:
    Duration initial_;
    Duration cap_;
    unsigned failures_ = 0;
    TimePoint next_attempt_{};
};

}  // namespace regpoll::transport
