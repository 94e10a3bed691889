// `regpoll run` keeps the status file and talks to systemd; `regpoll health` judges the file.
// End to end: the real binary polling `regpoll simulate`, a real notify socket.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "notify_socket.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class HealthCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-health-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string file(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
    CommandResult health(const std::string& status_file, const std::string& max_age = "60s") {
        return run_command(
            {REGPOLL_BINARY, "health", "--status-file", status_file, "--max-age", max_age}, 10s);
    }
    PeerProcess simulator() {
        return PeerProcess({REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen",
                            "tcp://127.0.0.1:0"},
                           "READY ", 10s, (dir_ / "simulate.log").string());
    }
    std::string config(std::uint16_t port) {
        return file("site.json",
                    R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                        std::to_string(port) +
                        R"(" } ], "devices": [ { "name": "meter", "bus": "lab", "unit": 1,
                                     "profile": "eastron/sdm120", "interval": "500ms" } ] })");
    }
    fs::path dir_;
};

TEST_F(HealthCommand, AMissingStatusFileIsUnhealthyAndSaysWhere) {
    const auto path = (dir_ / "none.json").string();
    auto r = health(path);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out.rfind("unhealthy: no status file \"" + path + "\"", 0), 0U) << r.out;
}

TEST_F(HealthCommand, AStaleStatusIsUnhealthy) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const nlohmann::json status = {
        {"pid", 1},
        {"state", "polling"},
        {"written_ms", now - 300'000},
        {"devices",
         {{"meter",
           {{"online", true}, {"last_sample_ms", now - 300'000}, {"interval_ms", 1000}}}}}};
    const auto path = file("stale.json", status.dump());
    auto r = health(path);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("the status is 5m old (more than 1m)"), std::string::npos) << r.out;
    EXPECT_EQ(health(path, "10m").exit_code, 0);  // a wider --max-age accepts it
}

TEST_F(HealthCommand, GarbageIsUnhealthyAndBadOptionsAreUsageErrors) {
    auto r = health(file("garbage.json", "{ not json"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("not a regpoll status file"), std::string::npos) << r.out;
    auto bad = health(file("x.json", "{}"), "soon");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--max-age"), std::string::npos) << bad.err;
}

TEST_F(HealthCommand, TheStatusFileComesFromTheEnvironmentToo) {
    const auto path = (dir_ / "from-env.json").string();
    ::setenv("REGPOLL_STATUS_FILE", path.c_str(), 1);
    auto r = run_command({REGPOLL_BINARY, "health"}, 10s);
    ::unsetenv("REGPOLL_STATUS_FILE");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find(path), std::string::npos) << r.out;
}

TEST_F(HealthCommand, AnUnwritableStatusFileStopsRunBeforeItStarts) {
    auto sim = simulator();
    const auto bad = (dir_ / "missing-folder" / "status.json").string();
    auto r = run_command(
        {REGPOLL_BINARY, "run", "-c", config(sim.ready_port()), "--once", "--status-file", bad},
        30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--status-file: cannot write"), std::string::npos) << r.err;
}

// A whole service life as systemd sees it: READY=1 once polling, the status file saying so,
// WATCHDOG=1 pings, RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 and a final
// "stopped" status on SIGTERM.
TEST_F(HealthCommand, RunReportsToSystemdAndHealthThroughItsLife) {
    auto sim = simulator();
    const auto status = (dir_ / "status.json").string();
    const std::string socket_name = "@regpoll-health-test-" + std::to_string(::getpid());
    NotifySocket socket(socket_name);
    ASSERT_TRUE(socket.bound());
    ::setenv("NOTIFY_SOCKET", socket_name.c_str(), 1);
    ::setenv("WATCHDOG_USEC", "400000", 1);  // pings every 200 ms
    PeerProcess run({REGPOLL_BINARY, "run", "-c", config(sim.ready_port()), "--output", "jsonl",
                     "--status-file", status},
                    "{\"ts\":", 20s, (dir_ / "run.log").string());
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");

    EXPECT_NE(socket.receive_starting_with("READY=1"), "") << run.stderr_log();
    EXPECT_NE(socket.receive_starting_with("WATCHDOG=1"), "") << run.stderr_log();

    // The first answer is written within a tick or two.
    CommandResult h;
    for (int i = 0; i < 50; ++i) {
        h = health(status);
        if (h.exit_code == 0) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(h.exit_code, 0) << h.out << run.stderr_log();
    EXPECT_NE(h.out.find("is polling: 1 of 1 devices answering"), std::string::npos) << h.out;

    ASSERT_TRUE(run.send_signal(SIGHUP));
    const auto reloading = socket.receive_starting_with("RELOADING=1");
    EXPECT_NE(reloading.find("\nMONOTONIC_USEC="), std::string::npos) << reloading;
    EXPECT_NE(socket.receive_starting_with("READY=1"), "") << run.stderr_log();

    EXPECT_EQ(run.stop(), 0);
    EXPECT_NE(socket.receive_starting_with("STOPPING=1"), "");
    auto after = health(status);
    EXPECT_EQ(after.exit_code, 1);
    EXPECT_NE(after.out.find("stopped"), std::string::npos) << after.out;
    const auto written = nlohmann::json::parse(std::ifstream(status));
    EXPECT_EQ(written["state"], "stopped");
    EXPECT_EQ(written["config"], (dir_ / "site.json").string());
    EXPECT_GT(written["devices"]["meter"]["last_sample_ms"].get<std::int64_t>(), 0);
}

TEST_F(HealthCommand, RunOnceLeavesAStoppedStatusWithEveryAnswer) {
    auto sim = simulator();
    const auto status = (dir_ / "once.json").string();
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config(sim.ready_port()), "--once",
                          "--output", "none", "--status-file", status},
                         30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto written = nlohmann::json::parse(std::ifstream(status));
    EXPECT_EQ(written["state"], "stopped");
    EXPECT_EQ(written["devices"]["meter"]["online"], true);
    EXPECT_GT(written["devices"]["meter"]["last_sample_ms"].get<std::int64_t>(), 0);
}

}  // namespace
}  // namespace regpoll::testing
