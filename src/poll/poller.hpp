#pragma once
// The poller: one event loop polls every device of a site configuration on time, through
// one link per bus, and hands samples to a sink. No thread per device; a device that does
// not answer costs its bus at most its timeout per cycle and is backed off when offline.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poll/held_registers.hpp"
#include "poll/kept_value.hpp"
#include "poll/request_metrics.hpp"
#include "poll/sample.hpp"
#include "poll/write_request.hpp"
#include "profile/site_config.hpp"
#include "transport/link.hpp"

namespace regpoll::poll {

struct DeviceCounters {
    std::uint64_t cycles = 0;
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t missed_deadlines = 0;  // cycles skipped because the last was still running
    std::uint64_t latency_us_total = 0;
    std::uint64_t latency_us_max = 0;
    // Replies discarded on the device's bus because their transaction id matched no request
    // in flight (a late answer, or a device that does not echo the id), noticed by this
    // device's cycles.
    std::uint64_t discarded_replies = 0;
};

struct PollerOptions {
    bool once = false;                 // poll every device once, then call on_done
    // Keep every device's newest raw registers (held()) for a gateway to answer from; without
    // a gateway they would only cost memory (50 registers × 1,000 devices: 3 MB).
    bool hold_registers = true;
    std::function<void(bool all_answered)> on_done;
};

class Poller {
public:
    Poller(boost::asio::io_context& io, std::shared_ptr<const profile::SiteConfig> config,
           SampleSink& sink, PollerOptions options = {});
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    void start();
    // Cancels timers and closes every link; pending work ends with "cancelled".
    void stop();

    // A write from home automation: checked (device, point, "writable", the device's
    // "writes", the payload, min/max), then queued on the device's bus like a poll. The
    // value read back goes to the sink as a sample. At most one write per point per the
    // device's write_interval: a newer value waiting for its turn replaces the older one,
    // which ends "superseded". `done` gets the outcome, never from inside this call.
    using WriteDone = std::function<void(const WriteOutcome&)>;
    void write(const std::string& device, const std::string& point, const std::string& payload, WriteDone done);

    // The values written to kept-alive points and rewritten since (fixed values are not
    // among them): what a reload hands to the next poller.
    std::vector<KeptValue> kept_values() const;
    // After start(), on a reload: goes on rewriting each of `values` whose device (name, bus,
    // unit) and point are unchanged, from now on, as if it had just been written; the others
    // are dropped, and the log says why.
    void keep_values(const std::vector<KeptValue>& values);

    // --- for the gateway; `device` indexes config().devices, after start() ---
    // One request for the device through its bus queue, sharing the polls' timing. A read's
    // answer refreshes held(); a write is read back into it. `done` never runs inside this call.
    void transact(std::size_t device, modbus::Pdu request, transport::Handler done);
    // The newest raw values and their times. Valid until the poller goes.
    // Empty unless PollerOptions::hold_registers.
    const HeldRegisters& held(std::size_t device) const;
    // Failed enough cycles in a row to be backed off.
    bool offline(std::size_t device) const;
    // Figures since start() that never reset (for /metrics).
    const RequestMetrics& metrics(std::size_t device) const;

    const profile::SiteConfig& config() const;
    // One line per device: counters since the last call (and resets them).
    std::vector<std::string> take_stats_lines();
    DeviceCounters totals() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace regpoll::poll
