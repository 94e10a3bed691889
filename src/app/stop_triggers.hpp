#pragma once
// What ends a long-running command: SIGINT/SIGTERM, or --seconds after the start. Either
// calls `on_stop` once, on the io_context's thread; cancel() disarms both (call it from
// `on_stop` or any other way of stopping, so io.run() can return).
#include <chrono>
#include <csignal>
#include <functional>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace regpoll::app {

class StopTriggers {
  public:
    StopTriggers(boost::asio::io_context& io, double seconds, std::function<void()> on_stop)
        : signals_(io, SIGINT, SIGTERM), limit_(io), on_stop_(std::move(on_stop)) {
        signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            spdlog::info("signal {}: stopping", signo);
            on_stop_();
        });
        if (seconds > 0) {
            limit_.expires_after(std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
            limit_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) on_stop_();
            });
        }
    }
    void cancel() {
        signals_.cancel();
        limit_.cancel();
    }

  private:
    boost::asio::signal_set signals_;
    boost::asio::steady_timer limit_;
    std::function<void()> on_stop_;
};

}  // namespace regpoll::app
