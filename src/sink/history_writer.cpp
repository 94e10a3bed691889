#include "sink/history_writer.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "sink/history_store.hpp"

namespace regpoll::sink {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Milliseconds first_retry{250};
constexpr Milliseconds longest_retry{10'000};

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<Milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string format_history_stats(const HistoryStats& s) {
    std::string line = "history: " + std::to_string(s.received) + " samples (" +
                       std::to_string(s.stored) + " stored) in " + std::to_string(s.batches) +
                       " commits, queue " + std::to_string(s.queued) + " (max " +
                       std::to_string(s.queued_max) + ")";
    if (s.failed_commits > 0) line += ", " + std::to_string(s.failed_commits) + " failed commits";
    if (s.dropped > 0) line += ", " + std::to_string(s.dropped) + " rows dropped (oldest first)";
    if (!s.last_error.empty()) line += " (now failing: " + s.last_error + ")";
    if (s.retention_deleted > 0)
        line += ", retention deleted " + std::to_string(s.retention_deleted);
    return line;
}

HistoryWriter::HistoryWriter(HistoryConfig config, HistoryWriterOptions options)
    : config_(std::move(config)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = system_now_ms;
    try {
        store_ = std::make_unique<HistoryStore>(config_.path, config_.synchronous,
                                                options_.busy_timeout);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("history database ") + e.what());
    }
    thread_ = std::thread([this] { run(); });
}

HistoryWriter::~HistoryWriter() {
    stop();
}

void HistoryWriter::on_samples(std::span<const poll::Sample> samples) {
    std::lock_guard lock(mutex_);
    if (stopped_) {
        if (late_samples_ == 0)
            spdlog::error("history: samples arrived after the writer stopped; not written");
        late_samples_ += samples.size();
        return;
    }
    const std::size_t before = intake_.samples.size();
    for (const auto& s : samples)
        intake_.samples.add(series_.intern(s, intake_.definitions), s.ts_ms, to_stored(s.value, s.quality));
    stats_.received += samples.size();
    intake_.received_through = stats_.received;
    const auto queued = static_cast<std::size_t>(stats_.received - stats_.committed);
    stats_.queued = queued;
    stats_.queued_max = std::max(stats_.queued_max, queued);
    if (queued >= config_.queue_warning && queued >= 2 * warned_at_) warn_queue_locked(queued);
    if (before < options_.max_batch_rows && intake_.samples.size() >= options_.max_batch_rows) {
        wake_writer_.notify_one();
    }
}

void HistoryWriter::warn_queue_locked(std::size_t queued) {
    warned_at_ = queued;
    // ~24 bytes a sample in the queue plus the text of string values.
    spdlog::warn(
        "history: {} samples are waiting for {} ({}); none is dropped, the queue grows in memory "
        "(about {} MiB now)",
        queued, config_.path,
        stats_.last_error.empty() ? "the disk is slower than the samples arrive"
                                  : "commits fail: " + stats_.last_error,
        queued * sizeof(RowBatch::Row) / (std::size_t{1024} * 1024) + 1);
}

bool HistoryWriter::flush(Milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const auto target = stats_.received;
    if (stats_.committed >= target) return true;
    flush_requested_ = true;
    wake_writer_.notify_one();
    committed_cv_.wait_for(lock, timeout, [&] { return stats_.committed >= target || stopped_; });
    return stats_.committed >= target;
}

bool HistoryWriter::stop(Milliseconds timeout) {
    {
        std::lock_guard lock(mutex_);
        if (!thread_.joinable()) return stop_result_;
        stopping_ = true;
        stop_deadline_ = Clock::now() + timeout;
        wake_writer_.notify_one();
    }
    thread_.join();
    std::lock_guard lock(mutex_);
    return stop_result_;
}

HistoryStats HistoryWriter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::int64_t HistoryWriter::now_ms() const {
    return options_.clock();
}

// Waits for the flush deadline (or a flush request, a full batch, stop) and takes the queue.
// Returns whether stop() was called.
bool HistoryWriter::take(Intake& intake, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (stopping_) deadline = std::min(deadline, stop_deadline_);
    const bool retrying = retry_delay_.count() > 0;
    wake_writer_.wait_until(lock, deadline, [&] {
        // While commits fail, wait out the back-off whatever arrives.
        return !retrying &&
               (stopping_ || flush_requested_ || intake_.samples.size() >= options_.max_batch_rows);
    });
    flush_requested_ = false;
    std::swap(intake, intake_);
    return stopping_;
}

// Applies the rules and the rollups to what on_samples queued, into the pending batch.
void HistoryWriter::absorb(Intake& intake) {
    for (const auto& def : intake.definitions) {
        store_->define_series(def.index, def.device, def.point, def.unit);
        if (def.index >= states_.size()) {
            states_.resize(def.index + 1);
            states_[def.index].filter = SampleFilter(config_.rule_for(def.device, def.point));
        }
    }
    for (const auto& row : intake.samples.rows()) {
        const StoredValue v = intake.samples.value(row);
        if (config_.rollups && v.numeric())
            pending_rollups_[{row.series, minute_start(row.ts)}].add(v.as_double());
        if (states_[row.series].filter.admit(v, row.ts)) pending_.add(row.series, row.ts, v);
    }
    if (!intake.samples.empty()) pending_through_ = intake.received_through;
    pending_samples_ += intake.samples.size();
    intake.definitions.clear();
    intake.samples.clear();
}

bool HistoryWriter::commit() {
    try {
        store_->write(pending_, pending_rollups_);
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        ++stats_.failed_commits;
        if (stats_.last_error != e.what()) {  // once, not per retry
            spdlog::error("history: commit of {} rows failed: {}; retrying with back-off, rows wait in memory "
                          "(up to max_queue {}, then the oldest are dropped)",
                          pending_.size(), e.what(), config_.max_queue);
        }
        stats_.last_error = e.what();
        return false;
    }
    std::lock_guard lock(mutex_);
    if (!stats_.last_error.empty()) {
        spdlog::info("history: commits succeed again ({} rows written)", pending_.size());
        stats_.last_error.clear();
    }
    stats_.committed = pending_through_;
    stats_.stored += pending_.size();
    ++stats_.batches;
    stats_.queued = static_cast<std::size_t>(stats_.received - stats_.committed);
    if (warned_at_ > 0 && stats_.queued < config_.queue_warning / 2) {
        spdlog::info("history: the queue is back to {} samples", stats_.queued);
        warned_at_ = 0;
    }
    committed_cv_.notify_all();
    pending_.clear();
    pending_rollups_.clear();
    pending_samples_ = 0;
    return true;
}

// While commits fail the pending rows are bounded: past max_queue the oldest tenth goes.
void HistoryWriter::bound_pending() {
    if (pending_.size() <= config_.max_queue) return;
    const std::size_t keep = config_.max_queue - config_.max_queue / 10;
    const std::size_t drop = pending_.size() - keep;
    pending_.drop_front(drop);
    std::lock_guard lock(mutex_);
    const auto before = stats_.dropped;
    stats_.dropped += drop;
    std::uint64_t mark = 1;
    while (mark * 10 <= stats_.dropped) mark *= 10;
    if (before < mark) {
        spdlog::warn("history: {} rows dropped so far, oldest first: commits keep failing ({}) and {} rows "
                     "(max_queue) wait in memory",
                     stats_.dropped, stats_.last_error, keep);
    }
}

void HistoryWriter::run_retention(Clock::time_point budget_end) {
    const bool rollup_retention = config_.rollups && config_.rollup_retention.count() > 0;
    if (config_.retention.count() == 0 && !rollup_retention) return;
    const auto now = Clock::now();
    if (!retention_backlog_ && now < next_retention_) return;
    if (!retention_backlog_) next_retention_ = now + options_.retention_check;
    retention_backlog_ = false;
    // Deletes step by step until a step finds less than a full one; false when the time
    // budget ran out first (the rest waits for the next commit, so rows keep flowing).
    auto in_steps = [&](auto delete_step, std::uint64_t& counter, std::uint64_t* steps) {
        for (std::size_t n = options_.retention_step_rows; n == options_.retention_step_rows;) {
            if (Clock::now() >= budget_end) return false;
            n = delete_step(options_.retention_step_rows);
            std::lock_guard lock(mutex_);
            counter += n;
            if (steps) ++*steps;
        }
        return true;
    };
    try {
        const auto cutoff = now_ms() - config_.retention.count();
        const auto rollup_cutoff = now_ms() - config_.rollup_retention.count();
        const bool done =
            (config_.retention.count() == 0 ||
             in_steps([&](std::size_t n) { return store_->delete_samples_before(cutoff, n); },
                      stats_.retention_deleted, &stats_.retention_steps)) &&
            (!rollup_retention ||
             in_steps(
                 [&](std::size_t n) { return store_->delete_rollups_before(rollup_cutoff, n); },
                 stats_.rollups_deleted, nullptr));
        retention_backlog_ = !done;
    } catch (const std::exception& e) {
        spdlog::warn("history: retention step failed (tried again later): {}", e.what());
    }
}

void HistoryWriter::run() {
    Intake intake;
    auto next_commit = Clock::now() + config_.flush_interval;
    for (;;) {
        const bool stopping = take(intake, next_commit);
        absorb(intake);
        bool ok = true;
        if (pending_samples_ > 0) ok = commit();
        if (!ok) bound_pending();
        const auto now = Clock::now();
        if (ok) {
            retry_delay_ = Milliseconds{0};
            next_commit = now + config_.flush_interval;
            if (!stopping) run_retention(now + config_.flush_interval / 2);
        } else {
            retry_delay_ = std::clamp(retry_delay_ * 2, first_retry, longest_retry);
            next_commit = now + retry_delay_;
        }
        if (!stopping) continue;
        std::lock_guard lock(mutex_);
        if (ok && stats_.committed == stats_.received) break;
        if (!ok && now >= stop_deadline_) {
            const auto lost = stats_.received - stats_.committed;
            spdlog::error("history: giving up at exit: {} samples could not be written to {}: {}",
                          lost, config_.path, stats_.last_error);
            stop_result_ = false;
            break;
        }
    }
    std::lock_guard lock(mutex_);
    stopped_ = true;
    committed_cv_.notify_all();
}

}  // namespace regpoll::sink
