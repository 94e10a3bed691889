#include "sink/history_store.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "sink/history_schema.hpp"

namespace regpoll::sink {
namespace {

Database open_for_writing(const std::string& path, Synchronous synchronous,
                          Milliseconds busy_timeout) try {
    Database db(path, Database::Mode::read_write_create);
    // Another writer (sqlite3 in a shell, a second poller) holds the lock for a while: wait.
    db.exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout.count()));
    // WAL: readers never block the writer, and a killed process leaves a consistent file.
    if (db.query_text("PRAGMA journal_mode = WAL") != "wal") {
        throw SqliteError(
            1, path + ": the database cannot use WAL mode (is it on a network file system?)");
    }
    // NORMAL in WAL mode: a commit survives a crash of regpoll; a power cut may lose the
    // last commits but never leaves the database inconsistent. FULL syncs every commit.
    db.exec(synchronous == Synchronous::full ? "PRAGMA synchronous = FULL"
                                             : "PRAGMA synchronous = NORMAL");
    // Rows are clustered by point, so a commit touches about one page per point it holds. A
    // checkpoint every 10000 pages (~40 MiB of WAL, not SQLite's 1000) writes each of those
    // pages to the database once for many commits: about 3x the rows per second for small
    // batches (tests/bench/history_bench.cpp). The WAL is truncated to 64 MiB afterwards.
    db.exec("PRAGMA wal_autocheckpoint = 10000");
    db.exec("PRAGMA journal_size_limit = 67108864");
    db.exec("PRAGMA cache_size = -32768");  // 32 MiB of page cache for the inserts
    prepare_history_schema(db);
    return db;
} catch (const SqliteError& e) {
    if (e.code() == SQLITE_NOTADB) throw SqliteError(e.code(), path + ": not an SQLite database");
    throw;
}

}  // namespace

HistoryStore::HistoryStore(const std::string& path, Synchronous synchronous,
                           Milliseconds busy_timeout)
    : db_(open_for_writing(path, synchronous, busy_timeout)),
      insert_device_(
          db_.prepare("INSERT INTO devices(name) VALUES (?1) ON CONFLICT(name) DO NOTHING")),
      select_device_(db_.prepare("SELECT id FROM devices WHERE name = ?1")),
      upsert_point_(db_.prepare("INSERT INTO points(device_id, name, unit) VALUES (?1, ?2, ?3) "
                                "ON CONFLICT(device_id, name) DO UPDATE SET unit = excluded.unit "
                                "WHERE unit IS NOT excluded.unit")),
      select_point_(db_.prepare("SELECT id FROM points WHERE device_id = ?1 AND name = ?2")),
      insert_sample_(db_.prepare(
          "INSERT OR REPLACE INTO samples(point_id, ts, value, text) VALUES (?1, ?2, ?3, ?4)")),
      merge_rollup_(db_.prepare(
          "INSERT INTO rollups_1m(point_id, minute_ts, min, avg, max, count) VALUES (?1, ?2, ?3, "
          "?4, ?5, ?6) "
          "ON CONFLICT(point_id, minute_ts) DO UPDATE SET min = min(min, excluded.min), "
          "max = max(max, excluded.max), avg = (avg * count + excluded.avg * excluded.count) / "
          "(count + excluded.count), count = count + excluded.count")),
      // Small steps: point by point through the primary key, at most ?2 rows, so a step is a
      // short transaction however much is due.
      delete_samples_(db_.prepare(
          "DELETE FROM samples WHERE (point_id, ts) IN (SELECT s.point_id, s.ts FROM "
          "points p CROSS JOIN samples s ON s.point_id = p.id AND s.ts < ?1 LIMIT ?2)")),
      delete_rollups_(
          db_.prepare("DELETE FROM rollups_1m WHERE (point_id, minute_ts) IN (SELECT r.point_id, "
                      "r.minute_ts FROM points p CROSS JOIN rollups_1m r ON r.point_id = p.id "
                      "AND r.minute_ts < ?1 LIMIT ?2)")) {}

void HistoryStore::define_series(SeriesIndex index, const std::string& device,
                                 const std::string& point, const std::string& unit) {
    if (index >= series_.size()) series_.resize(index + 1);
    series_[index] = Series{device, point, unit, 0};
}

std::int64_t HistoryStore::resolve(Series& series) {
    insert_device_.bind(1, series.device).run();
    select_device_.bind(1, series.device);
    const std::int64_t device_id = select_device_.step() ? select_device_.int64(0) : 0;
    select_device_.reset();
    upsert_point_.bind(1, device_id).bind(2, series.point).bind(3, series.unit).run();
    select_point_.bind(1, device_id).bind(2, series.point);
    series.point_id = select_point_.step() ? select_point_.int64(0) : 0;
    select_point_.reset();
    if (series.point_id == 0)
        throw SqliteError(1, db_.path() + ": point " + series.point + " was not created");
    return series.point_id;
}

void HistoryStore::write(const RowBatch& rows, const RollupMap& rollups) {
    std::vector<Series*> resolved;  // ids found in this transaction are void if it rolls back
    try {
        Transaction transaction(db_);
        for (const auto& row : rows.rows()) {
            auto& series = series_.at(row.series);
            if (series.point_id == 0) {
                resolve(series);
                resolved.push_back(&series);
            }
        }
        for (const auto& [key, rollup] : rollups) {
            auto& series = series_.at(key.series);
            if (series.point_id == 0) {
                resolve(series);
                resolved.push_back(&series);
            }
        }
        insert_rows(rows);
        merge_rollups(rollups);
        transaction.commit();
    } catch (...) {
        for (auto* s : resolved) s->point_id = 0;
        throw;
    }
}

void HistoryStore::insert_rows(const RowBatch& rows) {
    // In key order, consecutive inserts land next to each other in the B-tree instead of
    // jumping between points: a large batch goes in about a quarter faster (bench_history).
    const auto& all = rows.rows();
    order_.resize(all.size());
    for (std::uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto pa = series_[all[a].series].point_id, pb = series_[all[b].series].point_id;
        return pa != pb ? pa < pb : all[a].ts < all[b].ts;
    });
    for (const std::uint32_t i : order_) {
        const auto& row = all[i];
        const StoredValue v = rows.value(row);
        insert_sample_.bind(1, series_[row.series].point_id).bind(2, row.ts);
        switch (v.kind) {
            case StoredValue::Kind::null:
                insert_sample_.bind_null(3).bind_null(4);
                break;
            case StoredValue::Kind::integer:
            case StoredValue::Kind::boolean:
                insert_sample_.bind(3, v.integer).bind_null(4);
                break;
            case StoredValue::Kind::real:
                insert_sample_.bind(3, v.real).bind_null(4);
                break;
            case StoredValue::Kind::text:
                insert_sample_.bind_null(3).bind(4, v.text);
                break;
        }
        insert_sample_.run();
    }
}

void HistoryStore::merge_rollups(const RollupMap& rollups) {
    for (const auto& [key, r] : rollups) {
        merge_rollup_.bind(1, series_[key.series].point_id)
            .bind(2, key.minute_ts)
            .bind(3, r.min)
            .bind(4, r.sum / static_cast<double>(r.count))
            .bind(5, r.max)
            .bind(6, r.count)
            .run();
    }
}

std::size_t HistoryStore::delete_samples_before(std::int64_t cutoff_ms, std::size_t max_rows) {
    Transaction transaction(db_);
    delete_samples_.bind(1, cutoff_ms).bind(2, static_cast<std::int64_t>(max_rows)).run();
    const auto deleted = static_cast<std::size_t>(db_.changes());
    transaction.commit();
    return deleted;
}

std::size_t HistoryStore::delete_rollups_before(std::int64_t cutoff_ms, std::size_t max_rows) {
    Transaction transaction(db_);
    delete_rollups_.bind(1, cutoff_ms).bind(2, static_cast<std::int64_t>(max_rows)).run();
    const auto deleted = static_cast<std::size_t>(db_.changes());
    transaction.commit();
    return deleted;
}

}  // namespace regpoll::sink
