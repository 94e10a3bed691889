#include "sink/postgres_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <spdlog/spdlog.h>

#include "sink/history_time.hpp"
#include "sink/mqtt_outbox.hpp"
#include "sink/pg_connection.hpp"
#include "sink/postgres_outbox_rows.hpp"

namespace regpoll::sink {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string series_key(std::string_view device, std::string_view point) {
    std::string key(device);
    key += '\0';
    key += point;
    return key;
}

template <class T>
void append_number(std::string& out, T n) {
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, n);
    out.append(buffer, r.ptr);
}

// One COPY text-format line: point_id, ts, value, text, is_integer.
void append_copy_row(std::string& out, std::int64_t point_id, std::int64_t ts,
                     const StoredValue& v) {
    append_number(out, point_id);
    out += '\t';
    out += format_time_utc(ts);
    out += '\t';
    switch (v.kind) {
        case StoredValue::Kind::null:
            out += "\\N\t\\N\tf\n";
            return;
        case StoredValue::Kind::text:
            out += "\\N\t";
            append_copy_text(out, v.text);
            out += "\tf\n";
            return;
        case StoredValue::Kind::real:
            append_number(out, v.real);
            out += "\t\\N\tf\n";
            return;
        case StoredValue::Kind::integer:
        case StoredValue::Kind::boolean:
            append_number(out, v.integer);
            out += "\t\\N\tt\n";
            return;
    }
}

}  // namespace

std::string format_postgres_stats(const PostgresStats& s) {
    std::string line = "postgres: " + std::to_string(s.sent) + " samples sent in " +
                       std::to_string(s.batches) + " COPYs, queue " + std::to_string(s.queued) +
                       ", outbox " + std::to_string(s.outbox);
    if (s.dropped > 0) line += ", " + std::to_string(s.dropped) + " dropped (oldest first)";
    if (!s.last_error.empty()) line += " (now failing: " + s.last_error + ")";
    if (s.partitions_dropped > 0)
        line += ", retention dropped " + std::to_string(s.partitions_dropped) + " days";
    return line;
}

PostgresWriter::PostgresWriter(PostgresConfig config)
    : PostgresWriter(std::move(config), Options{}) {}

PostgresWriter::PostgresWriter(PostgresConfig config, Options options)
    : config_(std::move(config)), options_(options) {
    outbox_ = std::make_unique<Outbox>(config_.outbox_path, config_.outbox_max_samples,
                                       "PostgreSQL outbox");
    carried_ = outbox_->size();
    stats_.outbox = outbox_->size();
    stats_.last_error = "not connected yet";
    if (carried_ > 0)
        spdlog::info("postgres: {} samples from an earlier run wait in {}", carried_,
                     config_.outbox_path);
    thread_ = std::thread([this] { run(); });
}

PostgresWriter::~PostgresWriter() {
    stop();
}

void PostgresWriter::on_samples(std::span<const poll::Sample> samples) {
    std::lock_guard lock(mutex_);
    if (stopped_ || stopping_) return;
    const bool was_small = intake_.samples.size() < config_.max_batch;
    for (const auto& s : samples)
        intake_.samples.add(poll_series_.intern(s, intake_.definitions), s.ts_ms,
                            to_stored(s.value, s.quality));
    stats_.received += samples.size();
    stats_.queued += samples.size();
    if (was_small && intake_.samples.size() >= config_.max_batch) wake_.notify_one();
}

bool PostgresWriter::flush(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    flush_requested_ = true;
    wake_.notify_one();
    return sent_cv_.wait_for(
               lock, timeout,
               [&] { return (stats_.queued == 0 && stats_.outbox == 0) || stopped_; }) &&
           stats_.queued == 0 && stats_.outbox == 0;
}

void PostgresWriter::stop(milliseconds timeout) {
    {
        std::lock_guard lock(mutex_);
        if (!thread_.joinable()) return;
        stopping_ = true;
        stop_deadline_ = Clock::now() + timeout;
        wake_.notify_one();
    }
    thread_.join();
}

PostgresStats PostgresWriter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

bool PostgresWriter::take(Intake& intake, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [&] {
        return stopping_ || flush_requested_ || intake_.samples.size() >= config_.max_batch;
    });
    flush_requested_ = false;
    std::swap(intake, intake_);
    return stopping_;
}

SeriesIndex PostgresWriter::writer_series(std::string device, std::string point, std::string unit) {
    const auto key = series_key(device, point);
    if (auto it = series_by_name_.find(key); it != series_by_name_.end()) {
        auto& s = series_[it->second];
        if (s.unit != unit) {
            s.unit = std::move(unit);
            s.point_id = -1;  // the upsert writes the new unit
        }
        return it->second;
    }
    const auto index = static_cast<SeriesIndex>(series_.size());
    series_.push_back({std::move(device), std::move(point), std::move(unit), -1});
    series_by_name_.emplace(key, index);
    return index;
}

void PostgresWriter::absorb(Intake& intake) {
    for (auto& def : intake.definitions) {
        if (def.index >= remap_.size()) remap_.resize(def.index + 1);
        remap_[def.index] =
            writer_series(std::move(def.device), std::move(def.point), std::move(def.unit));
    }
    for (const auto& row : intake.samples.rows())
        pending_.add(remap_[row.series], row.ts, intake.samples.value(row));
    intake.definitions.clear();
    intake.samples.clear();
}

// Connects and migrates the schema; the point ids and partitions known belong to the last
// connection and are looked up again.
bool PostgresWriter::connect() {
    try {
        auto db = std::make_unique<PgConnection>(config_.conninfo);
        storage_ = prepare_pg_schema(*db);
        db_ = std::move(db);
    } catch (const PgError& e) {
        disconnect(e.what());
        return false;
    }
    for (auto& s : series_) s.point_id = -1;
    days_made_.clear();
    retry_delay_ = milliseconds{0};
    std::lock_guard lock(mutex_);
    stats_.connected = true;
    stats_.last_error.clear();
    spdlog::info(
        "postgres: connected ({}), schema version {}, samples in {}; {} waiting in the outbox",
        config_.conninfo_source, pg_schema_version,
        storage_ == PgStorage::hypertable ? "a TimescaleDB hypertable" : "day partitions",
        stats_.outbox);
    return true;
}

// Drops the connection and schedules the next attempt; the first failure of a series is logged.
void PostgresWriter::disconnect(const std::string& why) {
    db_.reset();
    retry_delay_ = std::clamp(retry_delay_ * 2, options_.first_retry, options_.longest_retry);
    next_connect_ = Clock::now() + retry_delay_;
    std::lock_guard lock(mutex_);
    const bool news = stats_.connected || stats_.last_error != why;
    stats_.connected = false;
    if (news) {
        spdlog::error(
            "postgres: {}; samples wait in the outbox {} ({} there now, {} queued in memory, {} "
            "dropped so "
            "far); reconnecting with back-off",
            why, config_.outbox_path, stats_.outbox, stats_.queued, stats_.dropped);
    }
    stats_.last_error = why;
}

// One COPY of `rows` (the writer's series). Throws PgError.
void PostgresWriter::send(const RowBatch& rows) {
    std::vector<std::int64_t> days;
    for (const auto& row : rows.rows()) {
        auto& s = series_[row.series];
        if (s.point_id < 0) {
            const auto r = db_->query(
                "WITH d AS (INSERT INTO devices (name) VALUES ($1) ON CONFLICT (name) DO UPDATE "
                "SET name = "
                "EXCLUDED.name RETURNING id) INSERT INTO points (device_id, name, unit) SELECT id, "
                "$2, $3 FROM d "
                "ON CONFLICT (device_id, name) DO UPDATE SET unit = EXCLUDED.unit RETURNING id",
                {s.device, s.point, s.unit});
            s.point_id = r.integer(0, 0);
        }
        const auto day = unix_day(row.ts);
        if (storage_ == PgStorage::partitions &&
            std::find(days_made_.begin(), days_made_.end(), day) == days_made_.end()) {
            days.push_back(day);
            days.push_back(day + 1);  // the next one ahead, before its first sample
            days_made_.push_back(day);
        }
    }
    if (!days.empty()) create_day_partitions(*db_, days);
    std::string data;
    data.reserve(rows.size() * 48);
    for (const auto& row : rows.rows())
        append_copy_row(data, series_[row.series].point_id, row.ts, rows.value(row));
    db_->copy_in("samples (point_id, ts, value, text, is_integer)", data);
}

// The pending rows go to the outbox, in order. If the disk refuses them they stay in memory,
// bounded like the outbox.
void PostgresWriter::to_outbox() {
    if (pending_.empty()) return;
    std::vector<Message> messages;
    messages.reserve(pending_.size());
    for (const auto& row : pending_.rows()) {
        const auto& s = series_[row.series];
        messages.push_back(
            to_outbox_message(s.device, s.point, s.unit, row.ts, pending_.value(row)));
    }
    std::size_t lost = 0;
    try {
        lost = outbox_->append(messages);
    } catch (const std::exception& e) {
        std::size_t over = pending_.size() > config_.outbox_max_samples
                               ? pending_.size() - config_.outbox_max_samples
                               : 0;
        pending_.drop_front(over);
        std::lock_guard lock(mutex_);
        stats_.dropped += over;
        if (stats_.last_error != e.what())
            spdlog::error("postgres: {}; samples wait in memory", e.what());
        stats_.last_error = e.what();
        return;
    }
    std::lock_guard lock(mutex_);
    if (lost > 0 && stats_.dropped == 0)
        spdlog::warn("postgres: the outbox is full ({} samples): dropping the oldest",
                     config_.outbox_max_samples);
    stats_.dropped += lost;
    stats_.outboxed += pending_.size();
    stats_.queued -= std::min(stats_.queued, pending_.size());
    stats_.outbox = outbox_->size();
    pending_.clear();
}

// Sends the outbox oldest first, a batch per COPY, until it is empty or the budget is spent.
bool PostgresWriter::drain_outbox(Clock::time_point budget_end) {
    while (outbox_->size() > 0 && db_) {
        const auto stored = outbox_->oldest(config_.max_batch);
        if (stored.empty()) break;
        RowBatch rows;
        rows.reserve(stored.size());
        OutboxSample d;
        for (const auto& m : stored) {
            if (!from_outbox_message(m.message, d)) continue;  // not ours: skipped
            rows.add(
                writer_series(std::string(d.device), std::string(d.point), std::string(d.unit)),
                d.ts, d.value);
        }
        try {
            send(rows);
        } catch (const PgError& e) {
            disconnect(e.what());
            return false;
        }
        outbox_->remove_up_to(stored.back().id);
        std::lock_guard lock(mutex_);
        stats_.sent += rows.size();
        ++stats_.batches;
        stats_.outbox = outbox_->size();
        if (stats_.outbox == 0)
            spdlog::info("postgres: the outbox is empty again ({} samples sent)", stats_.sent);
        sent_cv_.notify_all();
        if (Clock::now() >= budget_end) break;
    }
    return outbox_->size() == 0;
}

void PostgresWriter::run_retention() {
    if (config_.retention.count() == 0 || !db_ || Clock::now() < next_retention_) return;
    next_retention_ = Clock::now() + options_.retention_check;
    const auto now_ms = std::chrono::duration_cast<milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    try {
        const auto n = drop_days_before(*db_, storage_, now_ms - config_.retention.count());
        days_made_.clear();
        std::lock_guard lock(mutex_);
        stats_.partitions_dropped += n;
    } catch (const PgError& e) {
        spdlog::warn("postgres: retention failed (tried again later): {}", e.what());
        if (e.connection_lost()) disconnect(e.what());
    }
}

void PostgresWriter::run() {
    Intake intake;
    auto next = Clock::now();
    for (;;) {
        const bool stopping = take(intake, next);
        absorb(intake);
        if (!db_ && Clock::now() >= next_connect_) connect();
        if (db_ && outbox_->size() > 0) {
            to_outbox();  // behind what waits there: order is kept
            drain_outbox(stopping ? stop_deadline_ : Clock::now() + config_.flush_interval);
        }
        if (db_ && outbox_->size() == 0 && !pending_.empty()) {
            try {
                send(pending_);
                std::lock_guard lock(mutex_);
                stats_.sent += pending_.size();
                ++stats_.batches;
                stats_.queued -= std::min(stats_.queued, pending_.size());
                pending_.clear();
                sent_cv_.notify_all();
            } catch (const PgError& e) {
                disconnect(e.what());
            }
        }
        if (!db_) to_outbox();
        run_retention();
        const auto now = Clock::now();
        next = now + config_.flush_interval;
        if (!db_) next = std::min(next, std::max(now, next_connect_));
        if (!stopping) continue;
        if (pending_.empty() && (outbox_->size() == 0 || !db_ || now >= stop_deadline_)) break;
        if (now >= stop_deadline_) {
            to_outbox();
            break;
        }
    }
    std::lock_guard lock(mutex_);
    if (outbox_->size() > 0)
        spdlog::warn("postgres: {} samples wait in {} for the next run", outbox_->size(),
                     config_.outbox_path);
    stopped_ = true;
    sent_cv_.notify_all();
}

}  // namespace regpoll::sink
