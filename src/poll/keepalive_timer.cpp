#include "poll/keepalive_timer.hpp"

namespace regpoll::poll {

KeepaliveTimer::KeepaliveTimer(boost::asio::io_context& io, std::chrono::milliseconds every,
                               Rewrite rewrite)
    : timer_(io), every_(every), rewrite_(std::move(rewrite)) {}

void KeepaliveTimer::hold(codec::Value value) {
    if (cancelled_ || fixed_) return;
    value_ = std::move(value);
    arm(std::chrono::steady_clock::now() + every_);
}

void KeepaliveTimer::start(codec::Value fixed) {
    if (cancelled_) return;
    value_ = std::move(fixed);
    fixed_ = true;
    // The first write is the poller's rewrite_now() when the device first answers, so a
    // device that is not there yet is not written to; from then on, every period.
    arm(std::chrono::steady_clock::now() + every_);
}

void KeepaliveTimer::rewrite_now() {
    if (cancelled_ || !value_) return;
    arm(std::chrono::steady_clock::now() + every_);
    rewrite_(*value_);
}

void KeepaliveTimer::cancel() {
    cancelled_ = true;
    timer_.cancel();
}

// Fixed rate: a slow rewrite does not push the next one later, so the device's watchdog
// sees one write per period however long each takes.
void KeepaliveTimer::arm(std::chrono::steady_clock::time_point at) {
    timer_.expires_at(at);
    timer_.async_wait([this, at](const boost::system::error_code& ec) {
        if (ec || cancelled_ || !value_) return;
        auto next = at + every_;
        // Far behind (a suspended host): start again from now rather than fire a burst.
        if (next <= std::chrono::steady_clock::now())
            next = std::chrono::steady_clock::now() + every_;
        arm(next);
        rewrite_(*value_);
    });
}

}  // namespace regpoll::poll
