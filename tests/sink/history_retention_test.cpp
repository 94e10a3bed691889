// Retention in small steps and per-minute rollups, on a real SQLite file, with the wall
// clock injected.
#include <thread>

#include <gtest/gtest.h>

#include "history_test_support.hpp"
#include "sink/history_store.hpp"
#include "sink/history_writer.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using testing::SampleMaker;
using testing::SqliteReader;
using testing::TempDir;

constexpr std::int64_t day = 86'400'000;
constexpr std::int64_t now = 1'795'132'800'000;  // 2026-11-20T00:00:00Z
constexpr std::int64_t minute = 60'000;

template <class Predicate>
bool eventually(Predicate done) {
    for (int i = 0; i < 800; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(25ms);
    }
    return done();
}

class HistoryRetentionTest : public ::testing::Test {
  protected:
    HistoryConfig config() const {
        HistoryConfig c;
        c.path = db_;
        c.flush_interval = 50ms;
        return c;
    }
    HistoryWriterOptions options() const {
        HistoryWriterOptions o;
        o.clock = [] { return now; };
        o.retention_step_rows = 100;
        return o;
    }
    TempDir dir_;
    std::string db_ = dir_.file("h.db");
    SampleMaker make_;
};

TEST_F(HistoryRetentionTest, AStepDeletesAtMostItsRowsOldestFirst) {
    HistoryStore store(db_, Synchronous::normal);
    RowBatch rows;
    for (SeriesIndex s = 0; s < 3; ++s) store.define_series(s, "d", "p" + std::to_string(s), "");
    for (int i = 0; i < 300; ++i) {
        StoredValue v;
        v.kind = StoredValue::Kind::integer;
        v.integer = i;
        rows.add(static_cast<SeriesIndex>(i % 3), i < 250 ? now - 2 * day + i : now + i, v);
    }
    store.write(rows, {});
    EXPECT_EQ(store.delete_samples_before(now - day, 100), 100u);
    EXPECT_EQ(store.delete_samples_before(now - day, 100), 100u);
    EXPECT_EQ(store.delete_samples_before(now - day, 100), 50u);
    EXPECT_EQ(store.delete_samples_before(now - day, 100), 0u);
    SqliteReader db(db_);
    EXPECT_EQ(db.count("SELECT count(*) FROM samples"), 50);
    EXPECT_EQ(db.count("SELECT min(ts) FROM samples"), now + 250);
}

TEST_F(HistoryRetentionTest, StepsWalkThePrimaryKeyPointByPoint) {
    HistoryStore store(db_, Synchronous::normal);
    SqliteReader db(db_);
    std::string plan;
    for (const auto& row :
         db.rows("EXPLAIN QUERY PLAN SELECT s.point_id, s.ts FROM points p CROSS JOIN samples s "
                 "ON s.point_id = p.id AND s.ts < 5 LIMIT 100")) {
        plan += row + "\n";
    }
    EXPECT_NE(plan.find("SEARCH s USING PRIMARY KEY (point_id=? AND ts<?)"), std::string::npos)
        << plan;
}

TEST_F(HistoryRetentionTest, TheWriterDeletesOldRowsInStepsAndKeepsTheRest) {
    auto c = config();
    c.retention = std::chrono::days(1);
    {
        HistoryWriter writer(c, options());
        std::vector<poll::Sample> s;
        for (int i = 0; i < 1000; ++i)
            s.push_back(make_.make("d", "p" + std::to_string(i % 4), now - 3 * day + i, 1.0));
        for (int i = 0; i < 50; ++i)
            s.push_back(make_.make("d", "p" + std::to_string(i % 4), now - day / 2 + i, 2.0));
        writer.on_samples(s);
        ASSERT_TRUE(writer.flush());
        ASSERT_TRUE(eventually([&] { return writer.stats().retention_deleted == 1000; }))
            << writer.stats().retention_deleted;
        EXPECT_GE(writer.stats().retention_steps, 10u);  // 100 rows a step
    }
    SqliteReader db(db_);
    EXPECT_EQ(db.count("SELECT count(*) FROM history"), 50);
    EXPECT_EQ(db.count("SELECT count(*) FROM history WHERE value = 2.0"), 50);
}

TEST_F(HistoryRetentionTest, RollupsSummariseEveryNumericSampleMinuteByMinute) {
    auto c = config();
    c.rollups = true;
    HistoryRule on_change;
    on_change.point = "flat";
    on_change.on_change = true;
    c.rules.push_back(on_change);
    {
        HistoryWriter writer(c, options());
        std::vector<poll::Sample> first{
            make_.make("m", "v", now + 1000, 1.0, "V"), make_.make("m", "v", now + 2000, 2.0, "V"),
            make_.make("m", "flat", now, 5.0), make_.make("m", "flat", now + 1000, 5.0),
            make_.make("m", "text", now, std::string("on"))};
        writer.on_samples(first);
        ASSERT_TRUE(writer.flush());
        // The same minute again in a later transaction: merged, not replaced.
        std::vector<poll::Sample> second{make_.make("m", "v", now + 59'999, 3.0, "V"),
                                         make_.make("m", "v", now + minute, 10.0, "V"),
                                         make_.make("m", "v", now + minute + 1, 20.0, "V"),
                                         make_.make("m", "flat", now + 2000, 5.0),
                                         make_.make("m", "on", now, true),
                                         make_.make("m", "on", now + 1, false)};
        writer.on_samples(second);
    }
    SqliteReader db(db_);
    EXPECT_EQ(
        db.rows("SELECT ts - " + std::to_string(now) +
                ", device, point, min, avg, max, count, unit FROM history_1m ORDER BY point, ts"),
        (std::vector<std::string>{
            "0|m|flat|5.0|5.0|5.0|3|",  // three samples polled, one stored
            "0|m|on|0.0|0.5|1.0|2|",    // booleans as 0/1: the average is the share of time on
            "0|m|v|1.0|2.0|3.0|3|V",
            "60000|m|v|10.0|15.0|20.0|2|V",
        }));
    EXPECT_EQ(db.count("SELECT count(*) FROM history WHERE point = 'flat'"), 1);
}

TEST_F(HistoryRetentionTest, RollupsHaveTheirOwnRetention) {
    auto c = config();
    c.rollups = true;
    c.retention = std::chrono::days(1);
    c.rollup_retention = std::chrono::days(10);
    {
        HistoryWriter writer(c, options());
        std::vector<poll::Sample> s{make_.make("d", "p", now - 20 * day, 1.0),
                                    make_.make("d", "p", now - 5 * day, 2.0),
                                    make_.make("d", "p", now, 3.0)};
        writer.on_samples(s);
        ASSERT_TRUE(writer.flush());
        ASSERT_TRUE(eventually([&] {
            const auto stats = writer.stats();
            return stats.retention_deleted == 2 && stats.rollups_deleted == 1;
        }));
    }
    SqliteReader db(db_);
    EXPECT_EQ(db.rows("SELECT value FROM history"), (std::vector<std::string>{"3.0"}));
    EXPECT_EQ(db.rows("SELECT avg FROM history_1m ORDER BY ts"),
              (std::vector<std::string>{"2.0", "3.0"}));
}

// While commits fail, the writer drops the oldest pending rows: the rest keep their values,
// texts included.
TEST(RowBatchTest, DropFrontKeepsTheNewestRowsAndTheirTexts) {
    RowBatch rows;
    for (int i = 0; i < 6; ++i) {
        StoredValue v;
        const std::string text = "t" + std::to_string(i);  // outlives add(), which copies it
        if (i % 2 == 0) {
            v.kind = StoredValue::Kind::text;
            v.text = text;
        } else {
            v.kind = StoredValue::Kind::integer;
            v.integer = i;
        }
        rows.add(static_cast<SeriesIndex>(i), 1000 + i, v);
    }
    rows.drop_front(3);
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows.rows()[0].ts, 1003);
    EXPECT_EQ(rows.value(rows.rows()[0]).integer, 3);
    EXPECT_EQ(rows.value(rows.rows()[1]).text, "t4");
    EXPECT_EQ(rows.rows()[2].series, 5U);
    rows.drop_front(10);
    EXPECT_TRUE(rows.empty());
}

}  // namespace
}  // namespace regpoll::sink
