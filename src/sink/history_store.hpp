#pragma once
// The database side of the history writer: one transaction per batch of rows (with their
// rollups), and retention in small steps. Synchronous and single-threaded: the writer
// thread owns it. Errors throw SqliteError and leave the database as it was.
#include <cstdint>
#include <string>
#include <vector>

#include "sink/history_batch.hpp"
#include "sink/history_config.hpp"
#include "sink/history_sqlite.hpp"

namespace regpoll::sink {

class HistoryStore {
  public:
    // Opens or creates the database in WAL mode and creates or migrates the schema. A
    // commit waits up to `busy_timeout` for another writer's lock before failing.
    // Throws SqliteError or HistorySchemaError.
    HistoryStore(const std::string& path, Synchronous synchronous,
                 Milliseconds busy_timeout = Milliseconds{5000});

    // Names series `index` (indices are dense, from 0). Naming it again (a new unit)
    // updates the points row with the next write.
    void define_series(SeriesIndex index, const std::string& device, const std::string& point,
                       const std::string& unit);

    // Inserts `rows` and merges `rollups` in one transaction.
    void write(const RowBatch& rows, const RollupMap& rollups);

    // One retention step, in its own transaction: deletes up to `max_rows` samples (or
    // rollups) older than `cutoff_ms`. Returns the number deleted; fewer than max_rows
    // means none older are left.
    std::size_t delete_samples_before(std::int64_t cutoff_ms, std::size_t max_rows);
    std::size_t delete_rollups_before(std::int64_t cutoff_ms, std::size_t max_rows);

    Database& database() { return db_; }

  private:
    struct Series {
        std::string device;
        std::string point;
        std::string unit;
        std::int64_t point_id = 0;  // 0 until resolved in the database
    };
    std::int64_t resolve(Series& series);
    void insert_rows(const RowBatch& rows);
    void merge_rollups(const RollupMap& rollups);

    Database db_;
    std::vector<Series> series_;
    Statement insert_device_;
    Statement select_device_;
    Statement upsert_point_;
    Statement select_point_;
    Statement insert_sample_;
    Statement merge_rollup_;
    Statement delete_samples_;
    Statement delete_rollups_;
    std::vector<std::uint32_t> order_;  // reused: rows in (point, ts) order
};

}  // namespace regpoll::sink
