// `regpoll run` against `regpoll simulate` with both the SQLite history and the PostgreSQL
// sink: the server is stopped mid-run and started again, and afterwards `regpoll history
// --pg` prints exactly what `regpoll history --db` prints for the same run: every sample
// polled while the database was away arrived, in order.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "pg_server.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;

CommandResult regpoll(std::vector<std::string> args) {
    args.insert(args.begin(), REGPOLL_BINARY);
    return run_command(args, 60s);
}

class PostgresRunTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!pg_binaries_present())
            GTEST_SKIP() << "PostgreSQL 15 binaries missing in " << pg_bin
                         << " (Debian's postgresql package; scripts/install-deps.sh installs it)";
        server_.emplace();
        dir_ = server_->dir() + "/run";
        std::filesystem::create_directories(dir_);
        conninfo_ = server_->create_database("regpoll");
        conninfo_file_ = dir_ + "/pg.conninfo";
        std::ofstream(conninfo_file_) << conninfo_ << "\n";
    }
    std::string write_site(std::uint16_t device_port, const std::string& pg_flush = "100ms") {
        const auto config = dir_ + "/site.json";
        std::ofstream(config) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                     std::to_string(device_port) +
                                     R"(", "timeout": "1s" } ],
          "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120", "interval": "200ms" } ],
          "history": { "path": ")" + dir_ +
                                     R"(/history.db", "flush_interval": "100ms" },
          "postgres": { "conninfo_file": ")" +
                                     conninfo_file_ + R"(", "flush_interval": ")" + pg_flush +
                                     R"(" } })";
        return config;
    }
    std::optional<PgServer> server_;
    std::string dir_, conninfo_, conninfo_file_;
};

TEST_F(PostgresRunTest, EverySamplePolledWhileTheServerWasDownArrivesInOrder) {
    PeerProcess device({REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen",
                        "tcp://127.0.0.1:0"},
                       "READY ", 20s, dir_ + "/device.log");
    const auto config = write_site(static_cast<std::uint16_t>(std::stoi(device.ready_value())));
    auto validate = regpoll({"validate", "-c", config});
    ASSERT_EQ(validate.exit_code, 0) << validate.err;
    EXPECT_NE(validate.out.find("postgres: connection string from file " + conninfo_file_),
              std::string::npos)
        << validate.out;

    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config, "--output", "jsonl", "--status-file",
                        dir_ + "/status.json"},
                       "{\"ts\":", 20s, dir_ + "/poller.log");
    // Reads the samples printed meanwhile, so the pipe never fills.
    auto wait = [&](std::chrono::milliseconds d) {
        for (auto end = std::chrono::steady_clock::now() + d;
             std::chrono::steady_clock::now() < end;) {
            poller.read_available_stdout();
            std::this_thread::sleep_for(50ms);
        }
    };
    wait(1500ms);
    server_->stop();
    wait(2500ms);  // about 12 cycles polled while the database is away
    std::ifstream status_in(dir_ + "/status.json");
    const std::string status((std::istreambuf_iterator<char>(status_in)),
                             std::istreambuf_iterator<char>());
    server_->start();
    wait(1500ms);
    // A reload with a changed section: a new writer, the old one's leftovers through the outbox.
    write_site(static_cast<std::uint16_t>(std::stoi(device.ready_value())), "150ms");
    ASSERT_TRUE(poller.send_signal(SIGHUP));
    wait(1500ms);
    EXPECT_EQ(poller.stop(10s), 0) << poller.stderr_log();

    const auto log = poller.stderr_log();
    EXPECT_NE(log.find("samples wait in the outbox"), std::string::npos) << log;
    EXPECT_NE(log.find("postgres: the outbox is empty again"), std::string::npos) << log;
    EXPECT_NE(status.find("\"postgres\""), std::string::npos) << status;
    const auto first_writer = log.find("postgres: writing through");
    ASSERT_NE(first_writer, std::string::npos) << log;
    EXPECT_NE(log.find("postgres: writing through", first_writer + 1), std::string::npos)
        << "no new writer after SIGHUP\n"
        << log;

    for (const char* format : {"csv", "json"}) {
        auto lite = regpoll({"history", "--db", dir_ + "/history.db", "--format", format});
        auto pg =
            regpoll({"history", "--pg", "--pg-conninfo-file", conninfo_file_, "--format", format});
        ASSERT_EQ(lite.exit_code, 0) << lite.err;
        ASSERT_EQ(pg.exit_code, 0) << pg.err;
        EXPECT_GT(std::count(lite.out.begin(), lite.out.end(), '\n'), 100);
        EXPECT_EQ(pg.out, lite.out) << format;
    }
    // The configuration's section gives the same connection.
    auto by_config =
        regpoll({"history", "--pg", "-c", config, "--point", "voltage", "--time", "iso"});
    auto by_db =
        regpoll({"history", "--db", dir_ + "/history.db", "--point", "voltage", "--time", "iso"});
    EXPECT_EQ(by_config.out, by_db.out) << by_config.err;

    // In the order polled: each point's rows went into the table with rising times.
    const auto physical = server_->psql(
        conninfo_, "SELECT point_id, (extract(epoch FROM ts) * 1000)::bigint FROM samples");
    std::map<std::string, long long> last;
    std::istringstream lines(physical);
    std::size_t rows = 0, out_of_order = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto bar = line.find('|');
        if (bar == std::string::npos) continue;
        const long long ts = std::stoll(line.substr(bar + 1));
        auto& before = last[line.substr(0, bar)];
        if (ts < before) ++out_of_order;
        before = ts;
        ++rows;
    }
    EXPECT_GT(rows, 100u);
    EXPECT_EQ(out_of_order, 0u);
}

TEST_F(PostgresRunTest, ValidateRejectsAPasswordInTheSiteFile) {
    const auto config = dir_ + "/bad.json";
    std::ofstream(config) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120" } ],
      "postgres": { "conninfo": "host=db password=secret" } })";
    auto r = regpoll({"validate", "-c", config});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/postgres/conninfo: put the connection string"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("/postgres: expected \"conninfo_file\" or \"conninfo_env\""),
              std::string::npos)
        << r.err;
}

TEST_F(PostgresRunTest, HistoryPgSaysWhyItCannotRead) {
    ::unsetenv("REGPOLL_PG");
    auto nothing = regpoll({"history", "--pg"});
    EXPECT_EQ(nothing.exit_code, 2);
    EXPECT_NE(nothing.err.find("--pg: give --pg-conninfo-file, set REGPOLL_PG"), std::string::npos)
        << nothing.err;
    // A database without regpoll's schema.
    auto empty = regpoll({"history", "--pg", "--pg-conninfo-file", conninfo_file_});
    EXPECT_EQ(empty.exit_code, 2);
    EXPECT_EQ(empty.out, "");
    EXPECT_NE(empty.err.find("no regpoll history in this database"), std::string::npos)
        << empty.err;
    server_->stop();
    auto down = regpoll({"history", "--pg", "--pg-conninfo-file", conninfo_file_});
    EXPECT_EQ(down.exit_code, 2);
    EXPECT_NE(down.err.find("PostgreSQL: connection to server"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace regpoll::testing
