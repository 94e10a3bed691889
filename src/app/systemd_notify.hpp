#pragma once
// The service manager protocol of systemd (sd_notify(3)) without libsystemd: one datagram
// per message to the unix socket named by $NOTIFY_SOCKET (a path, or "@name" for an
// abstract socket). Outside systemd ($NOTIFY_SOCKET unset) every call is a no-op.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace regpoll::app {

class SystemdNotifier {
  public:
    // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID once.
    SystemdNotifier();

    bool enabled() const { return !socket_.empty(); }
    // Sends "KEY=value\n..." as one datagram; false (and `error()` says why) when it could
    // not be sent. True without sending when not enabled.
    bool notify(std::string_view message);
    const std::string& error() const { return error_; }

    // The watchdog period systemd expects pings within (WatchdogSec=), when it is meant for
    // this process.
    std::optional<std::chrono::microseconds> watchdog() const { return watchdog_; }

  private:
    std::string socket_;
    std::optional<std::chrono::microseconds> watchdog_;
    std::string error_;
};

// "RELOADING=1\nMONOTONIC_USEC=<now>": systemd 253 and later want the time of the reload.
std::string reloading_message();

}  // namespace regpoll::app
