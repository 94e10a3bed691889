// Relay mode end to end: a stick (scripted, or `regpoll simulate --shine`) -> `regpoll run`
// with "relay" -> a second process playing the Growatt cloud (tests/integration/peer/
// shine_cloud.py: acks, echoes, and sends an upload-interval write, a register write, a clock
// set and a setting read after the first data record), values into a real mosquitto.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../shine/hex.hpp"
#include "../shine/loopback_peer.hpp"
#include "../shine/vectors.hpp"
#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"
#include "shine/commands.hpp"

namespace regpoll::testing {
namespace {

using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;
namespace v = test::shine_vectors;

// "00 06 ..." as regpoll's debug dumps print frames, for a hex string as the cloud logs them.
std::string dump_of(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        if (!out.empty()) out += ' ';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
    }
    return out;
}

class ShineRelayRun : public ::testing::Test {
  protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = std::filesystem::temp_directory_path() /
               ("regpoll-shine-relay-" + std::to_string(::getpid()) + "-" + name_);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        broker_.emplace(name_);
        port_ = free_loopback_port();
    }
    void TearDown() override {
        if (HasFailure()) {
            if (regpoll_) std::cerr << "regpoll's log:\n" << regpoll_->stderr_log() << "\n";
            std::cerr << "the cloud's log:\n" << cloud_log() << "\n";
        }
        regpoll_.reset();
        cloud_.reset();
        std::filesystem::remove_all(dir_);
    }

    // The cloud on `port` (0: any free one); its log file is kept across restarts.
    void start_cloud(std::uint16_t port) {
        cloud_.emplace(
            std::vector<std::string>{peer_python(), "-I",
                                     source_dir() + "/tests/integration/peer/shine_cloud.py",
                                     "--port", std::to_string(port), "--log",
                                     (dir_ / "cloud.rx").string(), "--commands"},
            "READY", 10s, (dir_ / "cloud.log").string());
        cloud_port_ = cloud_->ready_port();
    }
    std::string cloud_log() const {
        std::ifstream in(dir_ / "cloud.rx");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::vector<std::string> cloud_rx() const {
        std::vector<std::string> out;
        std::istringstream lines(cloud_log());
        for (std::string line; std::getline(lines, line);) {
            if (line.starts_with("RX ")) out.push_back(line.substr(3));
        }
        return out;
    }
    // Waits up to `within` for the cloud's log to hold `text` `times` times.
    bool cloud_saw(const std::string& text, std::size_t times, std::chrono::milliseconds within) {
        const auto deadline = std::chrono::steady_clock::now() + within;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto log = cloud_log();
            std::size_t n = 0;
            for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
                ++n;
            if (n >= times) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    void start_regpoll(const std::string& relay_commands) {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "shine", "uri": "shine+listen://127.0.0.1:)"
                            << port_ << R"(", "relay": "127.0.0.1:)" << cloud_port_
                            << R"(", "relay_commands": ")" << relay_commands << R"(" } ],
          "devices": [
            { "name": "min", "bus": "shine", "datalogger": "XGD5BF42MX", "upload_interval": "1m",
              "points": [ { "name": "ac_power", "register": "input", "address": 3023, "type": "int32", "scale": 0.1 } ] },
            { "name": "sim", "bus": "shine", "datalogger": "SIMLOG0001", "profile": "growatt/min-tl-xh",
              "upload_interval": "2s" } ],
          "mqtt": { "broker": ")"
                            << broker_->uri() << R"(", "client_id": "regpoll-)" << name_
                            << R"(" } })";
        regpoll_.emplace(
            std::vector<std::string>{"/bin/sh", "-c",
                                     std::string("echo READY; exec ") + REGPOLL_BINARY +
                                         " run -c " + path + " --output none --log-level debug"},
            "READY", 20s, (dir_ / "regpoll.log").string());
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (!port_open(port_)) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "regpoll did not listen";
            std::this_thread::sleep_for(50ms);
        }
    }

    std::size_t regpoll_log_count(const std::string& text) const {
        const auto log = regpoll_->stderr_log();
        std::size_t n = 0;
        for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
        return n;
    }

    // The newest value of a device's point in its state messages, waiting up to 10 s for one.
    std::optional<double> value(Subscriber& sub, const std::string& device,
                                const std::string& point) {
        const std::string topic = "regpoll/" + device + "/state";
        auto has = [&](const std::vector<Received>& got) {
            return std::any_of(got.begin(), got.end(), [&](const Received& r) {
                return r.topic == topic && json::parse(r.payload).contains(point);
            });
        };
        if (!has(sub.got)) sub.collect(10s, has);
        const auto all = sub.payloads(topic);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            const auto j = json::parse(*it);
            if (j.contains(point)) return j[point].get<double>();
        }
        return std::nullopt;
    }

    std::string name_;
    std::filesystem::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> cloud_, regpoll_;
    std::uint16_t port_ = 0, cloud_port_ = 0;
};

const shine::CommandTarget logger{1, 6, 1, "XGD5BF42MX"};

TEST_F(ShineRelayRun, BlockKeepsTheCloudsWritesFromTheStick) {
    start_cloud(0);
    start_regpoll("block");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    auto stick = test::Peer::dial(port_);
    stick.send(v::v7_data_v6);

    // The cloud gets the record as the stick sent it, and its ack, clock set and setting read
    // reach the stick; its upload-interval and register writes do not.
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);
    EXPECT_EQ(test::to_hex(stick.read(test::unhex(v::time_set_v6).size())), v::time_set_v6);
    EXPECT_EQ(stick.read(44), shine::build_config_read(logger, 4, 4));
    EXPECT_TRUE(stick.any(1500ms).empty()) << "nothing else: no second ack, no write";
    ASSERT_TRUE(cloud_saw("RX ", 1, 5s));
    EXPECT_EQ(cloud_rx(), std::vector<std::string>{std::string(v::v7_data_v6)});
    EXPECT_EQ(regpoll_log_count("dropped the cloud's datalogger setting write of item 4"), 1U);
    EXPECT_EQ(regpoll_log_count("dropped the cloud's inverter register write 3 = 0"), 1U);

    // The value reached MQTT as without a relay.
    EXPECT_DOUBLE_EQ(value(sub, "min", "ac_power").value_or(-1), 283.2);
}

TEST_F(ShineRelayRun, AllowPassesTheCloudsWritesToTheStick) {
    start_cloud(0);
    start_regpoll("allow");
    auto stick = test::Peer::dial(port_);
    stick.send(v::v7_data_v6);
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);
    const Bytes interval = shine::build_config_write(logger, shine::item_upload_interval, "1");
    const Bytes write = shine::build_register_write(logger, 3, 0);
    EXPECT_EQ(stick.read(interval.size()), interval);
    EXPECT_EQ(stick.read(write.size()), write);
    EXPECT_EQ(test::to_hex(stick.read(test::unhex(v::time_set_v6).size())), v::time_set_v6);
    EXPECT_EQ(stick.read(44), shine::build_config_read(logger, 4, 4));
    EXPECT_TRUE(stick.any(1500ms).empty());
    EXPECT_EQ(regpoll_log_count("dropped the cloud's"), 0U);
}

// The simulator's final line: "N connects, N records sent (N again after no ack), N acked,
// N kept as buffered, N discarded".
struct StickTally {
    int connects = -1, sent = -1, resent = -1, acked = -1, buffered = -1;
};
StickTally tally_of(const std::string& log) {
    static const std::regex line(
        R"((\d+) connects, (\d+) records sent \((\d+) again after no ack\), (\d+) acked, (\d+) kept as buffered)");
    std::smatch m;
    StickTally t;
    if (std::regex_search(log, m, line)) {
        t = {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5])};
    }
    return t;
}

TEST_F(ShineRelayRun, SimulatedStickKeepsBeingAckedWhileTheCloudIsAwayAndTheRelayReconnects) {
    start_cloud(0);
    start_regpoll("block");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    PeerProcess stick(
        {REGPOLL_BINARY, "simulate", "--shine", "tcp://127.0.0.1:" + std::to_string(port_),
         "--profile", "growatt/min-tl-xh", "--datalogger", "SIMLOG0001", "--inverter", "SIMINV0001",
         "--upload-interval", "2s", "--freeze"},
        "READY", 20s, (dir_ / "stick.log").string());

    // Ping, announce and a live record reach the cloud byte for byte as regpoll got them.
    ASSERT_TRUE(cloud_saw("RX ", 3, 15s));
    EXPECT_TRUE(value(sub, "sim", "ac_power").has_value());
    for (const auto& hex : cloud_rx()) {
        EXPECT_NE(regpoll_->stderr_log().find(dump_of(hex)), std::string::npos)
            << "the cloud got a frame the stick did not send: " << hex;
    }

    // The cloud goes away: the stick is acked by regpoll and values keep flowing.
    cloud_.reset();
    const auto states_before = sub.payloads("regpoll/sim/state").size();
    sub.collect(7s, [&](const std::vector<Received>&) {
        return sub.payloads("regpoll/sim/state").size() >= states_before + 3;
    });
    EXPECT_GE(sub.payloads("regpoll/sim/state").size(), states_before + 3);
    EXPECT_EQ(regpoll_log_count("relay to 127.0.0.1:" + std::to_string(cloud_port_) + ": lost ("),
              1U);

    // Back on the same port: the relay redials (back-off 1 s doubling) and records flow again.
    start_cloud(cloud_port_);
    EXPECT_TRUE(cloud_saw("CONNECTED", 2, 20s)) << "no reconnect";
    const auto rx_before = cloud_rx().size();
    EXPECT_TRUE(cloud_saw("RX ", rx_before + 2, 10s));
    EXPECT_EQ(regpoll_log_count("connected again"), 1U);

    // The stick never noticed: one connection, nothing sent twice, nothing buffered.
    EXPECT_EQ(stick.stop(), 0) << stick.stderr_log();
    const auto t = tally_of(stick.stderr_log());
    EXPECT_EQ(t.connects, 1) << stick.stderr_log();
    EXPECT_EQ(t.resent, 0);
    EXPECT_EQ(t.buffered, 0);
    EXPECT_GE(t.acked, 6);
    EXPECT_GE(t.acked, t.sent - 1) << "at most the last record waits for its ack";
}

}  // namespace
}  // namespace regpoll::testing
