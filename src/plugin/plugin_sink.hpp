#pragma once
// A sink plugin behind the same kind of bounded queue as the built-in sinks: on_samples (the
// poll loop) copies the samples into the queue and returns; a writer thread of the sink's own
// hands them to the plugin in batches, flushes it every flush_interval, and on stop() writes
// what is left, flushes and closes it. When the queue is full the oldest (or, with
// "drop": "newest", the new) entries go; how many is counted, logged, and in stats().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/bounded_queue.hpp"
#include "plugin/plugin_set.hpp"
#include "poll/sample.hpp"

namespace regpoll::plugin {

struct PluginSinkStats {
    std::uint64_t written = 0;       // samples the plugin's write() accepted
    std::uint64_t failed = 0;        // samples in write() calls that failed
    std::uint64_t failed_calls = 0;  // failed write(), availability() and flush() calls
    std::uint64_t dropped_samples =
        0;  // forced out by the bound, offered after stop, or left at a late stop
    std::uint64_t dropped_changes = 0;  // availability changes, likewise
    QueueCounters queue;                // in entries (samples and availability changes)
    std::string last_error;             // of the last failed call
};

class PluginSink final : public poll::SampleSink {
  public:
    // Opens the plugin's sink with the spec's "config" and starts the writer thread. Throws
    // std::runtime_error naming the configuration place and the plugin, with the plugin's
    // own message, when open() fails.
    explicit PluginSink(SinkSpec spec, std::size_t max_batch = 1000);
    ~PluginSink() override;
    PluginSink(const PluginSink&) = delete;
    PluginSink& operator=(const PluginSink&) = delete;

    // Poll loop only. Copies and returns; never waits for the plugin.
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string& device, bool online) override;

    // Hands what is queued to the plugin, flushes and closes it, and ends the thread. What is
    // still queued after `timeout` (a plugin slower than that) is dropped, counted and logged.
    // Idempotent. Samples offered later are counted as dropped.
    void stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    PluginSinkStats stats() const;
    // "plugin influxdb (site.json: /plugins/0): 1200 samples written, queue 0 (max 52 of 10000), 0
    // dropped"
    std::string stats_line() const;
    const SinkSpec& spec() const { return spec_; }

    // The entries the queue holds (a sample, or an availability change).
    struct Entry {
        std::int64_t ts_ms = 0;
        std::string device;
        std::string point;  // empty for an availability change
        std::string unit;
        codec::Value value;
        poll::Quality quality = poll::Quality::good;
        bool online = false;  // availability changes only
    };

  private:
    void run();
    void deliver(std::vector<Entry>& batch);
    void write_samples(const std::vector<Entry>& batch, std::size_t begin, std::size_t end);
    void flush();
    void failed(const char* call, const char* message, std::uint64_t samples);
    void count_drops(std::size_t dropped);
    void dropping(const Entry& e) { ++(e.point.empty() ? dropped_changes_ : dropped_samples_); }

    SinkSpec spec_;
    std::string name_;
    std::size_t max_batch_;
    const regpoll_sink_ops& ops_;
    void* handle_ = nullptr;
    BoundedQueue<Entry> queue_;

    // Producer (poll loop) only.
    std::uint64_t dropped_logged_ = 0;

    mutable std::mutex mutex_;  // guards the fields below
    std::condition_variable finished_cv_;
    bool finished_ = false;
    PluginSinkStats stats_;
    std::atomic<bool> give_up_{false};
    std::atomic<std::uint64_t> dropped_samples_{0};
    std::atomic<std::uint64_t> dropped_changes_{0};

    std::thread thread_;
};

}  // namespace regpoll::plugin
