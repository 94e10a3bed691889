#pragma once
// Tells the outside whether `regpoll run` is polling: the status file `regpoll health` reads
// (Docker's HEALTHCHECK, monitoring), and systemd's notify protocol (READY=1, RELOADING=1,
// STOPPING=1, WATCHDOG=1, STATUS=). Lives on the run's event loop with one timer.
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/status_file.hpp"
#include "app/systemd_notify.hpp"

namespace regpoll::app {

class StatusReporter {
  public:
    // `status_file` "" writes none. `config` is the configuration file, for the status.
    StatusReporter(boost::asio::io_context& io, std::string status_file, std::string config);

    // Writes the first status ("starting"); "" or why the file cannot be written.
    std::string open();
    // Samples and availability go here too (add it to the run's sinks).
    poll::SampleSink& tracker() { return tracker_; }

    // Polling with `config`, after a start or a reload (applied or refused): READY=1, a status
    // write, the timer armed. `note` is added to systemd's STATUS= line until the next call
    // ("last reload refused …", so that `systemctl status` shows it).
    void polling(const profile::SiteConfig& config, std::string note = "");
    void reloading();
    // Adds to every status written (the gateways' counters); empty: nothing.
    void set_extra(std::function<void(nlohmann::json&)> extra) { extra_ = std::move(extra); }
    // The last status ("stopped") and STOPPING=1; the timer stops.
    void stopping();

    // How often the status file is rewritten when nothing changes; a device answering for
    // the first time or going online/offline is written at the next tick (about a second).
    static constexpr std::chrono::seconds rewrite_interval{5};

  private:
    void arm();
    void tick();
    void write(const char* state);
    void notify(const std::string& message);
    std::string status_line() const;
    std::string status_text() const;

    boost::asio::steady_timer timer_;
    std::string status_file_;
    StatusHeader header_;
    StatusTracker tracker_;
    SystemdNotifier systemd_;
    std::chrono::steady_clock::duration tick_interval_ = std::chrono::seconds(1);
    std::chrono::steady_clock::time_point last_write_{};
    bool write_failed_ = false;   // warned once; later failures stay quiet until one succeeds
    bool notify_failed_ = false;  // the same for systemd notifications
    bool stopped_ = false;
    std::string note_;
    std::function<void(nlohmann::json&)> extra_;
};

}  // namespace regpoll::app
