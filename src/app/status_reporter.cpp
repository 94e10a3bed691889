#include "app/status_reporter.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace regpoll::app {

StatusReporter::StatusReporter(boost::asio::io_context& io, std::string status_file,
                               std::string config)
    : timer_(io), status_file_(std::move(status_file)) {
    header_.pid = static_cast<long long>(::getpid());
    header_.version = REGPOLL_VERSION_STRING;
    header_.config = std::move(config);
    header_.started_ms = unix_now_ms();
    // systemd wants a ping at least every WatchdogSec; pinging at half of it leaves margin.
    if (auto wd = systemd_.watchdog()) {
        tick_interval_ = std::min<std::chrono::steady_clock::duration>(tick_interval_, *wd / 2);
    }
}

std::string StatusReporter::open() {
    notify("STATUS=starting");
    if (status_file_.empty()) return "";
    header_.state = "starting";
    header_.written_ms = unix_now_ms();
    return write_file_atomically(status_file_, status_text());
}

std::string StatusReporter::status_text() const {
    auto json = status_json(header_, tracker_);
    if (extra_) extra_(json);
    return json.dump() + "\n";
}

void StatusReporter::polling(const profile::SiteConfig& config, std::string note) {
    tracker_.set_devices(config);
    header_.shard = config.shard ? config.shard->text() : "";
    note_ = std::move(note);
    stopped_ = false;
    write("polling");
    notify("READY=1\nSTATUS=" + status_line());
    timer_.cancel();
    arm();
}

void StatusReporter::reloading() {
    notify(reloading_message());
}

void StatusReporter::stopping() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    notify("STOPPING=1");
    write("stopped");
}

void StatusReporter::arm() {
    timer_.expires_after(tick_interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        tick();
        arm();
    });
}

void StatusReporter::tick() {
    const auto now = std::chrono::steady_clock::now();
    // The ping comes from the event loop itself: if the loop stops turning, pings stop and
    // systemd restarts regpoll.
    if (systemd_.watchdog()) notify("WATCHDOG=1");
    const bool news = tracker_.take_news();
    if (news) notify("STATUS=" + status_line());
    if (news || now - last_write_ >= rewrite_interval) write("polling");
}

void StatusReporter::write(const char* state) {
    last_write_ = std::chrono::steady_clock::now();
    if (status_file_.empty()) return;
    header_.state = state;
    header_.written_ms = unix_now_ms();
    const auto error = write_file_atomically(status_file_, status_text());
    if (error.empty()) {
        if (write_failed_) spdlog::info("status file {}: written again", status_file_);
        write_failed_ = false;
    } else if (!write_failed_) {
        spdlog::warn("status file: {} (regpoll health will report regpoll as not running)", error);
        write_failed_ = true;
    }
}

void StatusReporter::notify(const std::string& message) {
    const bool sent = systemd_.notify(message);
    if (!sent && !notify_failed_) spdlog::warn("systemd notification: {}", systemd_.error());
    notify_failed_ = !sent;
}

std::string StatusReporter::status_line() const {
    return (header_.shard.empty() ? "" : "shard " + header_.shard + ": ") + "polling " +
           std::to_string(tracker_.devices()) + " devices, " + std::to_string(tracker_.online()) +
           " online" + (note_.empty() ? "" : "; " + note_);
}

}  // namespace regpoll::app
