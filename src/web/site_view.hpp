#pragma once
// What the web server shows, as immutable copies the poll loop publishes: readers on the
// web thread never touch the poller's state and never make the poll loop wait (DESIGN.md,
// "Pushed samples, held values"). A SiteView is shared, read-only, by every request that
// took it.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec/value.hpp"
#include "poll/request_metrics.hpp"
#include "poll/sample.hpp"

namespace regpoll::web {

struct PointView {
    std::string name;
    std::string unit;
    codec::Value value;  // monostate until read, or when the device said "not available"
    poll::Quality quality = poll::Quality::good;
    std::int64_t ts_ms = 0;  // Unix ms of the answer it came from; 0: not read yet
    std::optional<int> precision;  // decimals to show, from the profile
};

// One read request of a device's plan, as the planner makes it from the configuration
// (the poller splits a block further only when the device rejects it).
struct PlannedRequest {
    std::string kind;  // "holding", "input", "coil", "discrete"
    std::uint16_t address = 0;
    std::uint16_t count = 0;  // registers or bits
    std::int64_t interval_ms = 0;
    std::vector<std::string> points;
};

struct PlanView {
    std::vector<PlannedRequest> requests;  // fastest interval first
    std::size_t registers = 0;             // registers and bits touched per cycle of every interval
    std::optional<double> wire_seconds;    // serial lines: one cycle of every request on the wire
    std::optional<double> line_share;      // serial lines: of the line's time, at the intervals
};

struct DeviceView {
    std::string name;
    std::string bus;
    int unit = 1;
    std::string manufacturer;
    std::string model;
    std::int64_t interval_ms = 0;  // the shortest polling interval of its points
    bool online = false;           // false until the first answer
    std::int64_t last_answer_ms = 0;
    std::vector<PointView> points;  // in the configuration's order
    poll::RequestMetrics metrics;
    std::shared_ptr<const PlanView> plan;  // made at start and reload, shared by every view
};

struct SiteView {
    std::string version;
    std::string config_file;
    std::int64_t started_ms = 0;    // Unix ms the process started
    std::int64_t published_ms = 0;  // Unix ms this view was made
    bool polling = false;           // false once stopping
    std::vector<std::shared_ptr<const DeviceView>> devices;

    const DeviceView* device(std::string_view name) const;
};

// Now, in Unix milliseconds.
std::int64_t unix_now_ms();

// The hand-over point between the poll loop (publish) and the web thread (take).
class SiteViewBoard {
  public:
    void publish(std::shared_ptr<const SiteView> view) {
        std::lock_guard lock(mutex_);
        view_.swap(view);
    }  // the old view, if this was its last holder, goes here, outside the lock
    std::shared_ptr<const SiteView> take() const {
        std::lock_guard lock(mutex_);
        return view_;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const SiteView> view_;
};

}  // namespace regpoll::web
