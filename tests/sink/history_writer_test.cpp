// The history sink against a real SQLite file: samples in through on_samples, rows out
// through the `history` view, read with the plain sqlite3 API as a user's tool would.
#include "sink/history_writer.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "history_test_support.hpp"
#include "sink/history_schema.hpp"
#include "sink/history_sink.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using testing::SampleMaker;
using testing::SqliteReader;
using testing::TempDir;

HistoryConfig config_at(const std::string& path) {
    HistoryConfig c;
    c.path = path;
    c.flush_interval = 50ms;
    return c;
}

class HistoryWriterTest : public ::testing::Test {
  protected:
    TempDir dir_;
    std::string db_ = dir_.file("site.db");
    SampleMaker make_;
};

TEST_F(HistoryWriterTest, EveryValueTypeThroughTheView) {
    {
        HistoryWriter writer(config_at(db_));
        std::vector<poll::Sample> s{
            make_.make("inverter", "ac_power", 1000, 1234.5, "W"),
            make_.make("inverter", "energy", 1000, std::int64_t{9'007'199'254'740'993},
                       "Wh"),  // 2^53 + 1: exact
            make_.make("inverter", "running", 1000, true),
            make_.make("inverter", "serial", 1000, std::string("SN-0042")),
            make_.make("inverter", "temperature", 1000, codec::Value(), "°C",
                       poll::Quality::unavailable),
            make_.make("meter", "counter", 2000, std::numeric_limits<std::uint64_t>::max(), "Wh"),
            make_.make("meter", "pf", 2000, std::nan("")),
        };
        writer.on_samples(s);
        EXPECT_TRUE(writer.stop());
        EXPECT_EQ(writer.stats().stored, 7u);
    }
    EXPECT_FALSE(
        std::filesystem::exists(db_ + "-wal"));  // a clean stop checkpoints and removes the WAL
    SqliteReader db(db_);
    EXPECT_EQ(db.rows("SELECT ts, device, point, value, typeof(value), text, unit FROM history "
                      "ORDER BY ts, device, point"),
              (std::vector<std::string>{
                  "1000|inverter|ac_power|1234.5|real|NULL|W",
                  "1000|inverter|energy|9007199254740993|integer|NULL|Wh",
                  "1000|inverter|running|1|integer|NULL|",
                  "1000|inverter|serial|NULL|null|SN-0042|",
                  "1000|inverter|temperature|NULL|null|NULL|°C",
                  "2000|meter|counter|1.84467440737096e+19|real|NULL|Wh",
                  "2000|meter|pf|NULL|null|nan|",
              }));
    EXPECT_EQ(db.count("PRAGMA user_version"), history_schema_version);
    EXPECT_EQ(db.count("PRAGMA application_id"), history_application_id);
}

TEST_F(HistoryWriterTest, FlushCommitsWhileTheWriterRuns) {
    auto config = config_at(db_);
    config.flush_interval = std::chrono::minutes(10);  // only flush() commits in this test
    HistoryWriter writer(config);
    std::vector<poll::Sample> s{make_.make("d", "p", 1, 1.0)};
    writer.on_samples(s);
    ASSERT_TRUE(writer.flush());
    SqliteReader db(db_);
    EXPECT_EQ(db.one("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(db.rows("SELECT ts, value FROM history"), (std::vector<std::string>{"1|1.0"}));
    EXPECT_EQ(writer.stats().committed, 1u);
    EXPECT_EQ(writer.stats().batches, 1u);
    EXPECT_EQ(format_history_stats(writer.stats()),
              "history: 1 samples (1 stored) in 1 commits, queue 0 (max 1)");
}

TEST_F(HistoryWriterTest, ABatchIsCommittedOnTheFlushInterval) {
    HistoryWriter writer(config_at(db_));  // 50 ms
    std::vector<poll::Sample> s{make_.make("d", "p", 1, 1.0)};
    writer.on_samples(s);
    for (int i = 0; i < 200 && writer.stats().committed < 1; ++i) std::this_thread::sleep_for(25ms);
    EXPECT_EQ(writer.stats().committed, 1u);
}

TEST_F(HistoryWriterTest, AFullBatchIsCommittedWithoutWaitingForTheInterval) {
    auto config = config_at(db_);
    config.flush_interval = std::chrono::minutes(10);
    HistoryWriterOptions options;
    options.max_batch_rows = 1000;
    HistoryWriter writer(config, options);
    std::vector<poll::Sample> s;
    for (int i = 0; i < 1500; ++i)
        s.push_back(make_.make("d", "p" + std::to_string(i % 10), i, double(i)));
    writer.on_samples(s);
    for (int i = 0; i < 400 && writer.stats().committed < 1500; ++i)
        std::this_thread::sleep_for(25ms);
    EXPECT_EQ(writer.stats().committed, 1500u);
}

TEST_F(HistoryWriterTest, ReopeningAppendsAndANewUnitUpdatesThePoint) {
    {
        HistoryWriter writer(config_at(db_));
        std::vector<poll::Sample> s{make_.make("inverter", "power", 1, 1.0, "W")};
        writer.on_samples(s);
    }
    {
        HistoryWriter writer(config_at(db_));
        std::vector<poll::Sample> s{make_.make("inverter", "power", 2, 2.0, "W"),
                                    make_.make("inverter", "power", 3, 0.003, "kW")};
        writer.on_samples(s);
    }
    SqliteReader db(db_);
    EXPECT_EQ(db.rows("SELECT ts, value, unit FROM history ORDER BY ts"),
              (std::vector<std::string>{"1|1.0|kW", "2|2.0|kW", "3|0.003|kW"}));
    EXPECT_EQ(db.count("SELECT count(*) FROM points"), 1);
    EXPECT_EQ(db.count("SELECT count(*) FROM devices"), 1);
}

TEST_F(HistoryWriterTest, TheRulesDecideWhatIsStored) {
    auto config = config_at(db_);
    profile::Diagnostics diag;
    config.rules = parse_history_config(profile::Json::parse(R"({"rules": [
        {"device": "inverter", "point": "ac_power", "deadband": 5, "heartbeat": "30s"},
        {"point": "debug_*", "store": false},
        {"point": "*", "on_change": true}]})"),
                                        "site.json", diag)
                       ->rules;
    {
        HistoryWriter writer(config);
        std::vector<poll::Sample> s;
        const double power[] = {100, 102, 104, 106, 107, 106, 106};
        for (int i = 0; i < 7; ++i) {
            const std::int64_t ts = std::int64_t{i} * 10'000;  // every 10 s
            s.push_back(make_.make("inverter", "ac_power", ts, power[i], "W"));
            s.push_back(make_.make("inverter", "debug_crc", ts, std::int64_t{i}));
            s.push_back(
                make_.make("inverter", "state", ts, std::string(i < 4 ? "mppt" : "derating")));
        }
        writer.on_samples(s);
        writer.stop();
        EXPECT_EQ(writer.stats().received, 21u);
        EXPECT_EQ(writer.stats().stored, 5u);
    }
    SqliteReader db(db_);
    EXPECT_EQ(db.rows("SELECT ts, point, coalesce(value, text) FROM history ORDER BY point, ts"),
              (std::vector<std::string>{"0|ac_power|100.0", "30000|ac_power|106.0",
                                        "60000|ac_power|106.0",  // the heartbeat, 30 s after 106
                                        "0|state|mppt", "40000|state|derating"}));
}

// What `regpoll history --since 1h` and a Grafana time range do: one primary-key range per
// point, never a scan of every row.
TEST_F(HistoryWriterTest, TheViewReadsATimeRangeByPrimaryKey) {
    { HistoryWriter writer(config_at(db_)); }
    SqliteReader db(db_);
    std::string plan;
    for (const auto& row :
         db.rows("EXPLAIN QUERY PLAN SELECT * FROM history WHERE ts >= 5 AND ts < 9"))
        plan += row + "\n";
    EXPECT_NE(plan.find("SEARCH s USING PRIMARY KEY (point_id=? AND ts>? AND ts<?)"),
              std::string::npos)
        << plan;
    EXPECT_EQ(plan.find("SCAN s"), std::string::npos) << plan;
}

TEST_F(HistoryWriterTest, ASecondSampleInTheSameMillisecondReplacesTheFirst) {
    {
        HistoryWriter writer(config_at(db_));
        std::vector<poll::Sample> s{make_.make("d", "p", 5, 1.0), make_.make("d", "p", 5, 2.0)};
        writer.on_samples(s);
    }
    SqliteReader db(db_);
    EXPECT_EQ(db.rows("SELECT ts, value FROM history"), (std::vector<std::string>{"5|2.0"}));
}

// The poll loop never waits on the disk, and nothing is dropped (below max_queue) while the
// database is locked by someone else: commits fail and are retried until the lock goes.
TEST_F(HistoryWriterTest, NothingIsDroppedWhileAnotherWriterHoldsTheLock) {
    auto config = config_at(db_);
    config.queue_warning = 1000;
    HistoryWriterOptions options;
    options.busy_timeout = 20ms;
    HistoryWriter writer(config, options);
    {
        std::vector<poll::Sample> first{make_.make("d", "p", 0, 0.0)};
        writer.on_samples(first);
        ASSERT_TRUE(writer.flush());
    }
    sqlite3* locker = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &locker), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    std::vector<poll::Sample> s;
    for (int i = 1; i <= 5000; ++i) s.push_back(make_.make("d", "p", i, double(i)));
    // on_samples returns although no commit can succeed (a blocking sink would hang here).
    for (std::size_t i = 0; i < s.size(); i += 100) writer.on_samples(std::span(s).subspan(i, 100));
    EXPECT_FALSE(writer.flush(300ms));
    const auto blocked = writer.stats();
    EXPECT_GT(blocked.failed_commits, 0u);
    EXPECT_EQ(blocked.queued, 5000u);
    EXPECT_EQ(blocked.queued_max, 5000u);
    EXPECT_NE(blocked.last_error.find("locked"), std::string::npos) << blocked.last_error;

    sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(locker);
    ASSERT_TRUE(writer.flush());
    EXPECT_TRUE(writer.stats().last_error.empty());
    EXPECT_EQ(writer.stats().queued, 0u);
    SqliteReader db(db_);
    EXPECT_EQ(db.count("SELECT count(*) FROM history"), 5001);
    EXPECT_EQ(db.count("SELECT sum(value) FROM history"), 5000 * 5001 / 2);
}

// Past max_queue rows waiting for a commit that keeps failing, the oldest go: memory stays
// bounded through a long outage, and what is written afterwards is the newest.
TEST_F(HistoryWriterTest, PastMaxQueueTheOldestRowsAreDroppedAndCounted) {
    auto config = config_at(db_);
    config.max_queue = 1000;
    HistoryWriterOptions options;
    options.busy_timeout = 10ms;
    HistoryWriter writer(config, options);
    sqlite3* locker = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &locker), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::vector<poll::Sample> s;
    for (int i = 1; i <= 5000; ++i) s.push_back(make_.make("d", "p", i, double(i)));
    for (std::size_t i = 0; i < s.size(); i += 100) {
        writer.on_samples(std::span(s).subspan(i, 100));
        std::this_thread::sleep_for(5ms);  // spread over several failed commits
    }
    EXPECT_FALSE(writer.flush(1500ms));
    const auto dropped = writer.stats().dropped;
    EXPECT_GT(dropped, 0u);
    sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(locker);
    ASSERT_TRUE(writer.flush(15s));
    SqliteReader db(db_);
    const auto stored = db.count("SELECT count(*) FROM history");
    EXPECT_EQ(stored + static_cast<std::int64_t>(writer.stats().dropped), 5000);
    EXPECT_EQ(db.count("SELECT max(value) FROM history"), 5000);  // the newest is kept
    EXPECT_GT(db.count("SELECT min(value) FROM history"), 1);     // the oldest went
    EXPECT_NE(format_history_stats(writer.stats()).find("rows dropped (oldest first)"), std::string::npos);
}

TEST_F(HistoryWriterTest, StopGivesUpAfterItsTimeoutAndSaysSo) {
    HistoryWriterOptions options;
    options.busy_timeout = 10ms;
    HistoryWriter writer(config_at(db_), options);
    sqlite3* locker = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &locker), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::vector<poll::Sample> s{make_.make("d", "p", 1, 1.0)};
    writer.on_samples(s);
    EXPECT_FALSE(writer.stop(200ms));
    EXPECT_EQ(writer.stats().committed, 0u);
    writer.on_samples(s);  // after stop: ignored, reported once
    EXPECT_EQ(writer.stats().received, 1u);
    sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(locker);
}

TEST_F(HistoryWriterTest, RefusesADatabaseThatIsNotOurs) {
    {
        sqlite3* other = nullptr;
        ASSERT_EQ(sqlite3_open(db_.c_str(), &other), SQLITE_OK);
        sqlite3_exec(other, "CREATE TABLE invoices(id INTEGER)", nullptr, nullptr, nullptr);
        sqlite3_close(other);
    }
    profile::Diagnostics diag;
    auto sink = make_history_sink(profile::Json::parse("{\"path\": \"" + db_ + "\"}"),
                                  dir_.file("site.json"), diag);
    EXPECT_FALSE(sink);
    ASSERT_EQ(diag.errors().size(), 1u);
    EXPECT_EQ(diag.errors()[0], dir_.file("site.json") + ": /history: history database " + db_ +
                                    ": not a regpoll history database (it has tables of its own)");
    SqliteReader db(db_);
    EXPECT_EQ(db.count("SELECT count(*) FROM sqlite_master"), 1);  // untouched
}

TEST_F(HistoryWriterTest, RefusesASchemaNewerThanItKnows) {
    { HistoryWriter writer(config_at(db_)); }
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    try {
        HistoryWriter writer(config_at(db_));
        FAIL() << "opened a version 99 database";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("written by a newer regpoll (schema version 99"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(HistoryWriterTest, AMissingFolderIsAnErrorAtStart) {
    profile::Diagnostics diag;
    auto sink = make_history_sink(profile::Json::parse(R"({"path": "no/such/folder/h.db"})"),
                                  dir_.file("site.json"), diag);
    EXPECT_FALSE(sink);
    ASSERT_EQ(diag.errors().size(), 1u);
    EXPECT_NE(diag.errors()[0].find("/no/such/folder/h.db: unable to open database file"),
              std::string::npos)
        << diag.errors()[0];
}

TEST_F(HistoryWriterTest, AFileThatIsNotSqliteIsAnErrorAtStart) {
    std::ofstream(db_)
        << "some notes, not a database; long enough to fill a header ..........................";
    try {
        HistoryWriter writer(config_at(db_));
        FAIL() << "wrote into a text file";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "history database " + db_ + ": not an SQLite database");
    }
}

TEST_F(HistoryWriterTest, TheFactoryMakesARunningSink) {
    profile::Diagnostics diag;
    std::unique_ptr<poll::SampleSink> sink =
        make_history_sink(profile::Json::parse("{}"), dir_.file("site.json"), diag);
    ASSERT_TRUE(sink) << (diag.errors().empty() ? "" : diag.errors()[0]);
    std::vector<poll::Sample> s{make_.make("d", "p", 1, 1.0)};
    sink->on_samples(s);
    sink.reset();  // the destructor stops after committing what is queued
    SqliteReader db(dir_.file("site.db"));
    EXPECT_EQ(db.count("SELECT count(*) FROM history"), 1);
}

}  // namespace
}  // namespace regpoll::sink
