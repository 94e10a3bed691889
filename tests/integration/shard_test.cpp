// A fleet split over three pollers: 300 simulated devices (`regpoll simulate`, three
// listeners, one of them an RTU-over-TCP converter that only one shard may drive), three
// `regpoll run --shard K/3` processes at once, and every device polled by exactly one of them,
// the one `regpoll validate --shard K/3` names.
#include <gtest/gtest.h>

#include <csignal>
#include <iomanip>
#include <thread>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "regpoll_cli.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ShardTest : public ::testing::Test {
  protected:
    static constexpr int shards = 3;

    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-shard-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) const {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }

    // One simulator process per listener: `count` SDM120 meters named <prefix>001… on unit 1….
    PeerProcess start_listener(const std::string& prefix, const std::string& scheme, int count) {
        nlohmann::json sim{{"listen", scheme + "://127.0.0.1:0"},
                           {"refresh", "1h"},
                           {"devices", nlohmann::json::array()}};
        for (int i = 1; i <= count; ++i) {
            sim["devices"].push_back(
                {{"name", name(prefix, i)}, {"unit", i}, {"profile", "eastron/sdm120"}});
        }
        const auto file = write(prefix + ".sim.json", sim.dump());
        return PeerProcess({REGPOLL_BINARY, "simulate", "--config", file, "--freeze"}, "READY ",
                           30s, (dir_ / (prefix + ".sim.log")).string());
    }

    static std::string name(const std::string& prefix, int i) {
        std::ostringstream out;
        out << prefix << std::setw(3) << std::setfill('0') << i;
        return out.str();
    }

    // The site: the same file for every shard.
    std::string site_file(
        const std::vector<std::tuple<std::string, std::string, std::uint16_t, int>>& buses) {
        nlohmann::json site{{"buses", nlohmann::json::array()},
                            {"devices", nlohmann::json::array()}};
        for (const auto& [prefix, scheme, port, count] : buses) {
            site["buses"].push_back({{"name", prefix},
                                     {"uri", scheme + "://127.0.0.1:" + std::to_string(port)},
                                     {"timeout", "2s"}});
            for (int i = 1; i <= count; ++i) {
                site["devices"].push_back({{"name", name(prefix, i)},
                                           {"bus", prefix},
                                           {"unit", i},
                                           {"profile", "eastron/sdm120"},
                                           {"interval", "10s"}});
            }
        }
        return write("site.json", site.dump(2));
    }

    fs::path dir_;
};

std::set<std::string> devices_in_jsonl(const std::string& out) {
    std::set<std::string> devices;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty())
            devices.insert(nlohmann::json::parse(line).at("device").get<std::string>());
    }
    return devices;
}

// "shard 2/3: device meter007" lines of `regpoll validate --shard 2/3`.
std::set<std::string> devices_in_validate(const std::string& out, const std::string& shard) {
    std::set<std::string> devices;
    const std::regex line("^shard " + shard + ": device ([A-Za-z0-9_-]+)");
    std::istringstream in(out);
    for (std::string text; std::getline(in, text);) {
        std::smatch m;
        if (std::regex_search(text, m, line)) devices.insert(m[1]);
    }
    return devices;
}

TEST_F(ShardTest, ThreeShardsPollEachOf300DevicesExactlyOnce) {
    auto plant = start_listener("plant", "tcp", 150);
    auto hall = start_listener("hall", "tcp", 140);
    auto line = start_listener("line", "rtu+tcp", 10);  // a converter: the whole bus on one shard
    const auto site = site_file({{"plant", "tcp", plant.ready_port(), 150},
                                 {"hall", "tcp", hall.ready_port(), 140},
                                 {"line", "rtu+tcp", line.ready_port(), 10}});

    std::vector<std::future<CommandResult>> runs;
    for (int k = 1; k <= shards; ++k) {
        runs.push_back(std::async(std::launch::async, [&site, k] {
            return regpoll({"run", "-c", site, "--shard", std::to_string(k) + "/3", "--once",
                            "--output", "jsonl"},
                           90s);
        }));
    }
    std::map<std::string, int> polled_by;
    std::map<std::string, int> times_polled;
    for (int k = 1; k <= shards; ++k) {
        const auto r = runs[k - 1].get();
        const auto shard = std::to_string(k) + "/3";
        ASSERT_EQ(r.exit_code, 0) << "shard " << shard << ":\n" << r.err;
        const auto polled = devices_in_jsonl(r.out);
        EXPECT_GT(polled.size(), 50U) << "shard " << shard;
        for (const auto& d : polled) {
            ++times_polled[d];
            polled_by[d] = k;
        }
        EXPECT_NE(r.err.find("shard " + shard + ": polling " + std::to_string(polled.size()) +
                             " of 300 devices"),
                  std::string::npos)
            << r.err;

        const auto v = regpoll({"validate", "-c", site, "--shard", shard});
        ASSERT_EQ(v.exit_code, 0) << v.err;
        EXPECT_EQ(devices_in_validate(v.out, shard), polled) << "shard " << shard;
        EXPECT_NE(v.out.find("shard " + shard + ": " + std::to_string(polled.size()) +
                             " of 300 devices\n"),
                  std::string::npos)
            << v.out;
    }
    EXPECT_EQ(times_polled.size(), 300U);
    for (const auto& [device, n] : times_polled) EXPECT_EQ(n, 1) << device;
    std::set<int> line_shards;
    for (int i = 1; i <= 10; ++i) line_shards.insert(polled_by[ShardTest::name("line", i)]);
    EXPECT_EQ(line_shards.size(), 1U) << "the converter's devices were split";
}

TEST_F(ShardTest, ABadShardSaysWhatAndWhere) {
    const auto site = site_file({{"plant", "tcp", 1502, 3}});
    auto r = regpoll({"run", "-c", site, "--shard", "4/3", "--once"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--shard \"4/3\": K runs from 1 to 3"), std::string::npos) << r.err;
    r = regpoll({"validate", "-c", site, "--shard", "x"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--shard \"x\" is not a shard: expected K/N"), std::string::npos) << r.err;
    r = regpoll({"health", "--shard", "0/3"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--shard \"0/3\": K runs from 1 to 3"), std::string::npos) << r.err;

    ::setenv("REGPOLL_SHARD", "5/3", 1);
    r = regpoll({"validate", "-c", site});
    ::unsetenv("REGPOLL_SHARD");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--shard (from $REGPOLL_SHARD) \"5/3\": K runs from 1 to 3"), std::string::npos) << r.err;

    auto text = nlohmann::json::parse(std::ifstream(site));
    text["shard"] = "3";
    const auto in_file = write("in-file.json", text.dump());
    r = regpoll({"validate", "-c", in_file});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(in_file + ": /shard: \"3\" is not a shard"), std::string::npos) << r.err;
}

// The file's "shard" splits as the flag does, and the flag wins over it.
TEST_F(ShardTest, TheFlagOverridesTheFile) {
    auto site = nlohmann::json::parse(std::ifstream(site_file({{"plant", "tcp", 1502, 30}})));
    site["shard"] = "1/3";
    const auto file = write("with-shard.json", site.dump());
    const auto from_file = regpoll({"validate", "-c", file});
    ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
    const auto by_flag = regpoll({"validate", "-c", file, "--shard", "2/3"});
    ASSERT_EQ(by_flag.exit_code, 0) << by_flag.err;
    const auto first = devices_in_validate(from_file.out, "1/3");
    const auto second = devices_in_validate(by_flag.out, "2/3");
    EXPECT_FALSE(first.empty());
    EXPECT_FALSE(second.empty());
    for (const auto& d : second) EXPECT_EQ(first.count(d), 0U) << d;
}

// Shards on one host keep their own status files; `regpoll health --shard` reads the right one.
TEST_F(ShardTest, EachShardHasItsOwnStatusFile) {
    auto device = start_listener("plant", "tcp", 30);
    const auto site = site_file({{"plant", "tcp", device.ready_port(), 30}});
    const auto runtime = (dir_ / "run").string();
    fs::create_directories(runtime);
    ::setenv("RUNTIME_DIRECTORY", runtime.c_str(), 1);
    const auto r = regpoll({"run", "-c", site, "--shard", "2/3", "--once", "--output", "none"});
    const auto health = regpoll({"health", "--shard", "2/3"});
    const auto other = regpoll({"health", "--shard", "1/3"});
    ::unsetenv("RUNTIME_DIRECTORY");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto file = runtime + "/status-2-3.json";
    ASSERT_TRUE(fs::exists(file)) << r.err;
    EXPECT_FALSE(fs::exists(runtime + "/status.json"));
    const auto status = nlohmann::json::parse(std::ifstream(file));
    EXPECT_EQ(status.value("shard", ""), "2/3");
    // --once has stopped: the right file, judged "stopped".
    EXPECT_NE(health.out.find(file + ": "), std::string::npos) << health.out;
    EXPECT_NE(other.out.find("status-1-3.json"), std::string::npos) << other.out;
    EXPECT_EQ(other.exit_code, 1);
}

// A reload (SIGHUP) that changes the file's "shard" polls the new shard's devices, and the
// history moves to the new shard's file.
TEST_F(ShardTest, AReloadAppliesANewShard) {
    auto device = start_listener("plant", "tcp", 30);
    auto site = nlohmann::json::parse(
        std::ifstream(site_file({{"plant", "tcp", device.ready_port(), 30}})));
    for (auto& d : site["devices"]) d["interval"] = "300ms";
    site["history"] = {{"path", "history.db"}};
    auto write_shard = [&](const std::string& shard) {
        site["shard"] = shard;
        return write("reload.json", site.dump());
    };
    const auto file = write_shard("1/3");
    auto listed = [&](const std::string& shard) {
        return devices_in_validate(regpoll({"validate", "-c", file, "--shard", shard}).out, shard);
    };
    const auto first = listed("1/3");
    const auto second = listed("2/3");
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());

    PeerProcess poller({REGPOLL_BINARY, "run", "-c", file, "--output", "jsonl"}, "{\"ts\":", 20s,
                       (dir_ / "reload.log").string());
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(devices_in_jsonl(poller.read_available_stdout()), first);
    write_shard("2/3");
    ASSERT_TRUE(poller.send_signal(SIGHUP));
    std::this_thread::sleep_for(700ms);
    poller.read_available_stdout();  // what the old poller still had on its way
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(devices_in_jsonl(poller.read_available_stdout()), second);
    EXPECT_EQ(poller.stop(), 0);
    EXPECT_TRUE(fs::exists(dir_ / "history-1-3.db"));
    EXPECT_TRUE(fs::exists(dir_ / "history-2-3.db"));
}

}  // namespace
}  // namespace regpoll::testing
