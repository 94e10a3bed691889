#pragma once
// The SQLite history sink. on_samples (the poller's thread) only copies samples into an
// in-memory queue; a writer thread commits the queue once per flush interval in one
// transaction, applies the storage rules, merges rollups and runs retention in small steps.
//
// Queue policy: the poll loop never waits on the disk. Past `queue_warning` queued samples
// (and at every doubling) the writer logs a warning with what it is waiting for; a failing
// commit (a full or read-only disk) is said once and retried with back-off. While it fails,
// rows wait in memory up to `max_queue`; past that the oldest are dropped, counted in the
// stats and the log (at the 1st, 10th, 100th...). stop() gives up after its timeout and says
// how many samples it could not write.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "poll/sample.hpp"
#include "sink/history_batch.hpp"
#include "sink/history_config.hpp"
#include "sink/series_names.hpp"

namespace regpoll::sink {

class HistoryStore;

struct HistoryWriterOptions {
    std::size_t max_batch_rows = 200'000;    // commit early when this many samples are queued
    std::size_t retention_step_rows = 5000;  // rows deleted per retention transaction
    Milliseconds retention_check{60'000};    // how often retention looks for old rows
    Milliseconds busy_timeout{5000};         // wait for another writer's lock before a commit fails
    // Unix milliseconds now, for retention cutoffs. Default: the system clock.
    std::function<std::int64_t()> clock;
};

struct HistoryStats {
    std::uint64_t received = 0;   // samples handed to on_samples
    std::uint64_t committed = 0;  // of those, how many have been through a committed transaction
    std::uint64_t stored = 0;     // rows inserted (the rest were filtered by the rules)
    std::uint64_t batches = 0;    // committed transactions
    std::uint64_t failed_commits = 0;
    std::uint64_t retention_deleted = 0;  // raw rows
    std::uint64_t retention_steps = 0;
    std::uint64_t rollups_deleted = 0;  // by the rollups' own retention
    std::size_t queued = 0;             // samples waiting now (not yet committed)
    std::size_t queued_max = 0;         // the high-water mark
    std::uint64_t dropped = 0;          // rows dropped, oldest first, past max_queue
    std::string last_error;             // of the last failed commit, empty once one succeeds
};

// One line for the periodic stats log: "history: 1200 samples (300 stored) in 60 commits,
// queue 0 (max 52)", with failures and retention when there are any.
std::string format_history_stats(const HistoryStats& stats);

class HistoryWriter final : public poll::SampleSink {
  public:
    // Opens (creating or migrating) the database and starts the writer thread. Throws
    // std::runtime_error naming the file when the database cannot be used.
    explicit HistoryWriter(HistoryConfig config, HistoryWriterOptions options = {});
    ~HistoryWriter() override;  // stop()
    HistoryWriter(const HistoryWriter&) = delete;
    HistoryWriter& operator=(const HistoryWriter&) = delete;

    // Called by one thread at a time (the poller's). Copies and returns; never waits on disk.
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string&, bool) override {}

    // Commits everything queued before the call now; true once it is committed, false if
    // that did not happen within `timeout` (the rows stay queued and are retried).
    bool flush(Milliseconds timeout = std::chrono::seconds(30));
    // Commits everything queued, then ends the writer thread. After `timeout` of failing
    // commits it gives up and logs how many samples were not written. Idempotent; true if
    // nothing was lost. on_samples after stop() is ignored.
    bool stop(Milliseconds timeout = std::chrono::seconds(30));

    HistoryStats stats() const;
    const HistoryConfig& config() const { return config_; }

  private:
    // What on_samples hands over: new series (or a new unit) before the samples using them.
    struct Intake {
        std::vector<SeriesDefinition> definitions;
        RowBatch samples;
        std::uint64_t received_through = 0;  // HistoryStats::received after the last sample in it
    };
    // The writer thread's view of a series.
    struct SeriesState {
        SampleFilter filter;
    };

    void run();
    bool take(Intake& intake, std::chrono::steady_clock::time_point deadline);
    void absorb(Intake& intake);
    bool commit();
    void bound_pending();
    void run_retention(std::chrono::steady_clock::time_point budget_end);
    void warn_queue_locked(std::size_t queued);
    std::int64_t now_ms() const;

    HistoryConfig config_;
    HistoryWriterOptions options_;
    std::unique_ptr<HistoryStore> store_;  // the writer thread's only

    mutable std::mutex mutex_;
    std::condition_variable wake_writer_;
    std::condition_variable committed_cv_;
    Intake intake_;  // filled by on_samples
    SeriesNames series_;
    bool flush_requested_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    bool stop_result_ = true;
    std::chrono::steady_clock::time_point stop_deadline_{};
    std::size_t warned_at_ = 0;       // queue size of the last warning
    std::uint64_t late_samples_ = 0;  // offered after stop(): a wiring mistake, reported once
    HistoryStats stats_;

    // Writer thread only.
    std::vector<SeriesState> states_;
    RowBatch pending_;  // filtered rows waiting for a successful commit
    RollupMap pending_rollups_;
    std::uint64_t pending_through_ = 0;
    std::size_t pending_samples_ = 0;  // samples (stored or not) behind pending_
    Milliseconds retry_delay_{0};
    std::chrono::steady_clock::time_point next_retention_{};
    bool retention_backlog_ = false;

    std::thread thread_;
};

}  // namespace regpoll::sink
