#pragma once
// One kept-alive point of a device with a write watchdog (a charger that falls back to its
// safe current unless its current limit is rewritten in time): holds the value last written
// and asks for it to be written again every period. The poller carries each rewrite out
// through its own write path, on the device's bus queue, and decides when one must wait.
#include <chrono>
#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "codec/value.hpp"

namespace regpoll::poll {

class KeepaliveTimer {
  public:
    using Rewrite = std::function<void(const codec::Value&)>;
    KeepaliveTimer(boost::asio::io_context& io, std::chrono::milliseconds every, Rewrite rewrite);

    // `value` was just written: from now on it is rewritten every period (at a fixed rate,
    // counted from this call), replacing whatever was held before. Ignored once start() has
    // fixed the value.
    void hold(codec::Value value);
    // A fixed value (an alive register): held from now on, so that rewrite_now() writes it
    // (the poller calls it when the device first answers) and then every period, whatever
    // else is written to the point.
    void start(codec::Value fixed);
    // Rewrites the held value now and counts the period from here (the device came back and
    // may have fallen back meanwhile); nothing while no value is held.
    void rewrite_now();
    void cancel();

    bool holding() const { return value_.has_value(); }
    // The value last written and held since, not a fixed one (what a reload carries over).
    std::optional<codec::Value> written() const { return fixed_ ? std::nullopt : value_; }
    bool fixed() const { return fixed_; }
    std::chrono::milliseconds every() const { return every_; }

  private:
    void arm(std::chrono::steady_clock::time_point at);

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds every_;
    Rewrite rewrite_;
    std::optional<codec::Value> value_;
    bool fixed_ = false;
    bool cancelled_ = false;
};

}  // namespace regpoll::poll
