// The PostgreSQL sink against a real PostgreSQL 15 (pg_server.hpp): the schema and its
// migration, samples written with COPY and read back through the `history` view and
// PgHistoryReader, the outbox while the server is down, and retention by day partitions.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "pg_server.hpp"
#include "sink/history_query.hpp"
#include "sink/pg_connection.hpp"
#include "sink/postgres_query.hpp"
#include "sink/postgres_schema.hpp"
#include "sink/postgres_writer.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using testing::PgServer;

// One server for the whole suite; each test gets its own database.
class PostgresTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!testing::pg_binaries_present()) return;
        server_ = new PgServer();
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        if (!server_)
            GTEST_SKIP() << "PostgreSQL 15 binaries missing in " << testing::pg_bin
                         << " (Debian's postgresql package; scripts/install-deps.sh installs it)";
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        database_ = "t_" + std::string(info->name());
        for (auto& c : database_)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        conninfo_ = server_->create_database(database_);
        dir_ = server_->dir() + "/" + database_;
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        if (server_) server_->start();  // a test that stopped it
    }
    PostgresConfig config() const {
        PostgresConfig c;
        c.conninfo = conninfo_;
        c.conninfo_source = "the test";
        c.flush_interval = 50ms;
        c.outbox_path = dir_ + "/outbox.db";
        return c;
    }
    std::string psql(const std::string& sql) { return server_->psql(conninfo_, sql); }

    static PgServer* server_;
    std::string database_;
    std::string conninfo_;
    std::string dir_;
};
PgServer* PostgresTest::server_ = nullptr;

// Samples of one device: a counter point (integer), power (real), a text and a gap.
struct Samples {
    std::string device = "inv";
    std::string counter = "counter", power = "power", label = "label", watt = "W", none;
    std::vector<poll::Sample> make(std::int64_t ts, std::int64_t n) {
        std::vector<poll::Sample> out;
        out.push_back({ts, &device, &counter, &none, codec::Value{static_cast<std::int64_t>(n)}});
        out.push_back({ts, &device, &power, &watt, codec::Value{static_cast<double>(n) + 0.25}});
        out.push_back(
            {ts, &device, &label, &none, codec::Value{std::string("run\t") + std::to_string(n)}});
        return out;
    }
};

std::vector<std::string> read_rows(const std::string& conninfo) {
    std::vector<std::string> rows;
    PgHistoryReader reader(conninfo);
    reader.read({}, [&](const HistoryRow& r) {
        std::string line =
            std::to_string(r.ts) + " " + std::string(r.device) + "." + std::string(r.point) + " ";
        if (r.type == HistoryRow::Type::integer) line += "int " + std::to_string(r.integer);
        if (r.type == HistoryRow::Type::real) line += "real " + std::to_string(r.real);
        if (r.text) line += "text " + std::string(*r.text);
        rows.push_back(line + " " + std::string(r.unit));
    });
    return rows;
}

TEST_F(PostgresTest, SchemaIsCreatedVersionedAndPartitionedByDay) {
    PgConnection db(conninfo_);
    EXPECT_EQ(pg_schema_version_of(db), 0);
    EXPECT_EQ(prepare_pg_schema(db), PgStorage::partitions);  // no timescaledb on this server
    EXPECT_EQ(pg_schema_version_of(db), pg_schema_version);
    EXPECT_EQ(psql("SELECT version, storage FROM schema_version ORDER BY version"),
              "1|partitions\n2|partitions\n");
    EXPECT_EQ(
        psql("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'samples'::regclass"),
        "r\n");
    // The view has the SQLite history view's columns.
    EXPECT_EQ(psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                   "information_schema.columns "
                   "WHERE table_name = 'history'"),
              "ts,device,point,value,text,unit\n");
    EXPECT_EQ(prepare_pg_schema(db), PgStorage::partitions);  // again: nothing to do
    EXPECT_EQ(psql("SELECT count(*) FROM schema_version"),
              std::to_string(pg_schema_version) + "\n");
}

TEST_F(PostgresTest, ADatabaseMadeByTheFirstStepIsBroughtUpToDateWithItsRowsKept) {
    const std::int64_t t0 = 1'764'800'000'000;  // 2025-12-03T22:13:20Z
    {
        PgConnection db(conninfo_);
        prepare_pg_schema(db, 1);  // version 1 only, as the first release made it
        EXPECT_EQ(psql("SELECT to_regclass('history_1m') IS NULL, to_regclass('latest') IS NULL"),
                  "t|t\n");
        // Rows written by a version 1 writer: the table layout is the same in version 2.
        psql("INSERT INTO devices (name) VALUES ('inv')");
        psql("INSERT INTO points (device_id, name, unit) VALUES (1, 'power', 'W')");
        create_day_partitions(db, {unix_day(t0)});
        psql("INSERT INTO samples (ts, point_id, value) SELECT to_timestamp(" +
             std::to_string(t0 / 1000) + " + g), 1, g FROM generate_series(0, 119) g");
    }
    PgConnection db(conninfo_);
    prepare_pg_schema(db);
    EXPECT_EQ(pg_schema_version_of(db), pg_schema_version);
    EXPECT_EQ(psql("SELECT version FROM schema_version ORDER BY version"), "1\n2\n");
    EXPECT_EQ(psql("SELECT count(*) FROM history"), "120\n");
    // Version 2's views over the rows version 1 wrote: 22:13:20-22:13:59 is 40 samples
    // (0..39), 22:14 the next 60 (40..99), 22:15 the last 20 (100..119).
    EXPECT_EQ(psql("SELECT ts, device, point, min, avg, max, count, unit FROM history_1m ORDER BY ts"),
              "2025-12-03 22:13:00+00|inv|power|0|19.5|39|40|W\n"
              "2025-12-03 22:14:00+00|inv|power|40|69.5|99|60|W\n"
              "2025-12-03 22:15:00+00|inv|power|100|109.5|119|20|W\n");
    EXPECT_EQ(psql("SELECT ts, device, point, value, unit FROM latest"),
              "2025-12-03 22:15:19+00|inv|power|119|W\n");
    // A writer of this version goes on in the same tables.
    PostgresWriter writer(config());
    Samples s;
    writer.on_samples(s.make(t0 + 200'000, 7));
    ASSERT_TRUE(writer.flush(10s));
    EXPECT_EQ(psql("SELECT count(*) FROM history"), "123\n");
    EXPECT_EQ(psql("SELECT point, value, text FROM latest ORDER BY point"),
              "counter|7|\nlabel||run\t7\npower|7.25|\n");
}

TEST_F(PostgresTest, ANewerSchemaIsRefused) {
    PgConnection db(conninfo_);
    prepare_pg_schema(db);
    psql("INSERT INTO schema_version (version, storage) VALUES (" +
         std::to_string(pg_schema_version + 1) + ", 'partitions')");
    try {
        prepare_pg_schema(db);
        FAIL() << "a newer schema was accepted";
    } catch (const PgError& e) {
        EXPECT_NE(std::string(e.what()).find("newer regpoll"), std::string::npos) << e.what();
    }
}

TEST_F(PostgresTest, SamplesArriveThroughCopyAndReadBackThroughTheView) {
    PostgresWriter writer(config());
    Samples s;
    const std::int64_t t0 = 1'764'800'000'000;  // 2025-12-03T22:13:20Z
    for (int i = 0; i < 10; ++i) writer.on_samples(s.make(t0 + i * 1000, i));
    ASSERT_TRUE(writer.flush(10s));
    EXPECT_EQ(psql("SELECT count(*) FROM history"), "30\n");
    EXPECT_EQ(psql("SELECT ts, device, point, value, text, unit FROM history WHERE point = 'power' "
                   "ORDER BY ts LIMIT 1"),
              "2025-12-03 22:13:20+00|inv|power|0.25||W\n");
    const auto rows = read_rows(conninfo_);
    ASSERT_EQ(rows.size(), 30u);
    EXPECT_EQ(rows[0], "1764800000000 inv.counter int 0 ");
    EXPECT_EQ(rows[1], "1764800000000 inv.label text run\t0 ");
    EXPECT_EQ(rows[2], "1764800000000 inv.power real 0.250000 W");
    const auto stats = writer.stats();
    EXPECT_EQ(stats.sent, 30u);
    EXPECT_TRUE(stats.connected);
    EXPECT_EQ(stats.outbox, 0u);
    // The sample's day and the next one exist as partitions.
    EXPECT_EQ(psql("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN "
                   "pg_class c ON "
                   "c.oid = i.inhrelid WHERE i.inhparent = 'samples'::regclass"),
              "samples_20251203,samples_20251204\n");
}

TEST_F(PostgresTest, WhileTheServerIsDownSamplesWaitInTheOutboxAndArriveInOrder) {
    PostgresWriter writer(config());
    Samples s;
    const std::int64_t t0 = 1'764'800'000'000;
    writer.on_samples(s.make(t0, 0));
    ASSERT_TRUE(writer.flush(10s));
    server_->stop();
    for (int i = 1; i <= 20; ++i) {
        writer.on_samples(s.make(t0 + i * 1000, i));
        std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(300ms);
    auto stats = writer.stats();
    EXPECT_FALSE(stats.connected);
    EXPECT_FALSE(stats.last_error.empty());
    EXPECT_EQ(stats.outbox, 60u) << stats.last_error;
    server_->start();
    ASSERT_TRUE(writer.flush(30s)) << format_postgres_stats(writer.stats());
    stats = writer.stats();
    EXPECT_EQ(stats.outbox, 0u);
    EXPECT_EQ(stats.outboxed, 60u);
    EXPECT_EQ(stats.dropped, 0u);
    const auto rows = read_rows(conninfo_);
    ASSERT_EQ(rows.size(), 63u);
    for (int i = 0; i <= 20; ++i)
        EXPECT_EQ(rows[static_cast<std::size_t>(i * 3)],
                  std::to_string(t0 + i * 1000) + " inv.counter int " + std::to_string(i) + " ");
}

TEST_F(PostgresTest, SamplesLeftAtStopWaitInTheOutboxForTheNextRun) {
    Samples s;
    const std::int64_t t0 = 1'764'800'000'000;
    server_->stop();
    {
        PostgresWriter writer(config());
        writer.on_samples(s.make(t0, 7));
        writer.stop(500ms);
    }
    server_->start();
    PostgresWriter writer(config());
    ASSERT_TRUE(writer.flush(30s)) << format_postgres_stats(writer.stats());
    EXPECT_EQ(read_rows(conninfo_).size(), 3u);
}

TEST_F(PostgresTest, RetentionDropsWholeDaysPastTheCutoff) {
    PostgresWriter writer(config());
    Samples s;
    const std::int64_t day = 86'400'000;
    const std::int64_t t0 = 1'764'806'400'000;  // 2025-12-04T00:00:00Z
    for (int d = 0; d < 3; ++d) writer.on_samples(s.make(t0 + d * day + 3'600'000, d));
    ASSERT_TRUE(writer.flush(10s));
    PgConnection db(conninfo_);
    // A cutoff in the middle of the third day: the first two days end before it.
    EXPECT_EQ(drop_days_before(db, PgStorage::partitions, t0 + 2 * day + 1), 2u);
    EXPECT_EQ(psql("SELECT count(*) FROM history"), "3\n");
    EXPECT_EQ(drop_days_before(db, PgStorage::partitions, t0 + 2 * day + 1), 0u);
}

}  // namespace
}  // namespace regpoll::sink
