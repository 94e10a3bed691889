#pragma once
// The PostgreSQL sink. on_samples (the poller's thread) only copies samples into an
// in-memory queue; a writer thread sends the queue once per flush interval with one COPY.
//
// While the database cannot be reached (or refuses a COPY), samples wait in a local on-disk
// outbox (SQLite, oldest first, bounded: past max_samples the oldest are dropped, counted, as
// in the MQTT outbox). The writer reconnects with back-off; once connected it sends the
// outbox first, in order, then what arrived since, so the database receives every sample in
// the order it was polled. Each change of state (connected, unreachable, outbox draining,
// drained) is logged once with the counters; stats() gives them to the status file.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "poll/sample.hpp"
#include "sink/history_batch.hpp"
#include "sink/postgres_config.hpp"
#include "sink/postgres_schema.hpp"
#include "sink/series_names.hpp"

namespace regpoll::sink {

class Outbox;

struct PostgresStats {
    std::uint64_t received = 0;  // samples handed to on_samples
    std::uint64_t sent = 0;      // rows the database has committed
    std::uint64_t batches = 0;   // committed COPYs
    std::uint64_t outboxed = 0;  // samples that went through the outbox
    std::uint64_t dropped =
        0;  // forced out by the outbox bound (or lost when it could not be written)
    std::size_t queued = 0;                // in memory now, not yet sent or in the outbox
    std::size_t outbox = 0;                // in the outbox now
    std::uint64_t partitions_dropped = 0;  // by retention
    bool connected = false;
    std::string last_error;  // why the database is not taking samples; empty while it is
};

// "postgres: 1200 samples sent in 60 COPYs, queue 0, outbox 0", with what failed if anything.
std::string format_postgres_stats(const PostgresStats& stats);

class PostgresWriter final : public poll::SampleSink {
  public:
    struct Options {
        std::chrono::milliseconds first_retry{250};
        std::chrono::milliseconds longest_retry{10'000};
        std::chrono::milliseconds retention_check{60'000};
    };
    // Opens the outbox (throws std::runtime_error naming the file when it cannot) and starts
    // the writer thread; the database is connected to there, so a database that is down at
    // start delays nothing.
    explicit PostgresWriter(PostgresConfig config);
    PostgresWriter(PostgresConfig config, Options options);
    ~PostgresWriter() override;  // stop()
    PostgresWriter(const PostgresWriter&) = delete;
    PostgresWriter& operator=(const PostgresWriter&) = delete;

    // Called by one thread at a time (the poller's). Copies and returns.
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string&, bool) override {}

    // True once everything received before the call is in the database (not only in the
    // outbox), false if that did not happen within `timeout`.
    bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Sends what it can within `timeout`; the rest goes to the outbox for the next run.
    // Idempotent. on_samples after stop() is ignored.
    void stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    PostgresStats stats() const;
    const PostgresConfig& config() const { return config_; }

  private:
    struct Series {
        std::string device;
        std::string point;
        std::string unit;
        std::int64_t point_id = -1;  // in the connected database; -1: not looked up yet
    };
    struct Intake {
        std::vector<SeriesDefinition>
            definitions;  // new series (or a new unit), before their samples
        RowBatch samples;
    };

    void run();
    bool take(Intake& intake, std::chrono::steady_clock::time_point deadline);
    void absorb(Intake& intake);
    bool connect();
    void disconnect(const std::string& why);
    void send(const RowBatch& rows);
    void to_outbox();
    bool drain_outbox(std::chrono::steady_clock::time_point budget_end);
    void run_retention();
    SeriesIndex writer_series(std::string device, std::string point, std::string unit);

    PostgresConfig config_;
    Options options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable sent_cv_;
    Intake intake_;
    SeriesNames poll_series_;  // the poller side's index
    bool flush_requested_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::chrono::steady_clock::time_point stop_deadline_{};
    PostgresStats stats_;
    std::uint64_t carried_ = 0;  // in the outbox from an earlier run at start

    // Writer thread only.
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<PgConnection> db_;
    PgStorage storage_ = PgStorage::partitions;
    std::vector<Series> series_;      // the writer's index
    std::vector<SeriesIndex> remap_;  // poller index -> writer index
    std::unordered_map<std::string, SeriesIndex> series_by_name_;
    std::vector<std::int64_t> days_made_;  // partitions known to exist
    RowBatch pending_;                     // rows for the database, in the writer's series index
    std::chrono::milliseconds retry_delay_{0};
    std::chrono::steady_clock::time_point next_connect_{};
    std::chrono::steady_clock::time_point next_retention_{};
    std::thread thread_;
};

}  // namespace regpoll::sink
