// A site broker bridged to a central one with the bridge file regpoll ships
// (config/mosquitto-bridge.conf, only its address changed): regpoll publishes to the site
// broker, values arrive centrally under sites/house1/, nothing is lost while the central
// broker is down, and a write sent centrally reaches the device.
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "mbpoll.hpp"
#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kState = "sites/house1/regpoll/plc/state";  // the plc's state, centrally

// The shipped bridge file, pointed at `central` and retrying every second.
std::string bridge_to(const Mosquitto& central) {
    std::ifstream in(source_dir() + "/config/mosquitto-bridge.conf");
    std::string conf(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(conf.find("address central.example.net:1883"), std::string::npos);
    conf = std::regex_replace(conf, std::regex("address central\\.example\\.net:1883"),
                              "address 127.0.0.1:" + std::to_string(central.port()));
    conf = std::regex_replace(conf, std::regex("restart_timeout [0-9 ]+"), "restart_timeout 1");
    return "\n" + conf;
}

class MqttBridgeTest : public ::testing::Test {
protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = fs::temp_directory_path() / ("regpoll-bridge-test-" + std::to_string(::getpid()) + "-" + name_);
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(dir_ / "values.json") << R"({ "holding": { "10": [400], "11": [2305] } })";
        central_.emplace(name_ + "-central");
        site_.emplace(name_ + "-site", bridge_to(*central_));
        peer_.emplace(start_modbus_peer({"--transport", "tcp", "--units", "1", "--values", (dir_ / "values.json").string()}));
        // As at a real site, the bridge is up before regpoll starts: the central broker holds
        // the bridge's retained "1".
        Subscriber watch(central_->uri(), "watch-" + name_);
        watch.collect(10s, [](const std::vector<Received>& got) {
            return std::any_of(got.begin(), got.end(),
                               [](const Received& m) { return m.topic == "sites/house1/bridge/state" && m.payload == "1"; });
        });
        ASSERT_FALSE(watch.payloads("sites/house1/bridge/state").empty()) << "the bridge never came up";
    }
    void TearDown() override {
        if (HasFailure() && site_) std::cerr << "site broker's log:\n" << site_->log() << "\n";
        if (HasFailure() && central_) std::cerr << "central log:\n" << central_->log() << "\n";
        fs::remove_all(dir_);
    }

    std::string config() {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" << peer_->ready_port() << R"(" } ],
          "devices": [ { "name": "plc", "bus": "lab", "unit": 1, "interval": "1s", "writes": ["power_limit"],
            "points": [
              { "name": "power_limit", "address": 10, "type": "int16", "scale": 0.1, "unit": "%",
                "writable": true, "min": 0, "max": 100 },
              { "name": "voltage", "address": 11, "type": "uint16", "scale": 0.1, "unit": "V" } ] } ],
          "mqtt": { "broker": ")" << site_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(" } })";
        return path;
    }

    // `regpoll run` printing nothing on stdout (so the sh says when it started).
    PeerProcess quiet_regpoll() {
        return PeerProcess({"/bin/sh", "-c", std::string("echo READY; exec ") + REGPOLL_BINARY + " run -c " + config() +
                                                 " --output none --log-level warn"},
                           "READY", 20s);
    }

    std::string name_;
    fs::path dir_;
    std::optional<Mosquitto> central_;
    std::optional<Mosquitto> site_;
    std::optional<PeerProcess> peer_;
};

TEST_F(MqttBridgeTest, ValuesArriveCentrallyUnderTheSitesPrefix) {
    Subscriber central(central_->uri(), "central-" + name_);
    PeerProcess poller = quiet_regpoll();
    central.collect(15s, [](const std::vector<Received>& got) {
        auto has = [&](const std::string& topic) {
            return std::any_of(got.begin(), got.end(), [&](const Received& m) { return m.topic == topic; });
        };
        return has("sites/house1/regpoll/plc/voltage") && has("sites/house1/regpoll/plc/availability");
    });
    EXPECT_EQ(poller.stop(), 0);
    const auto voltage = central.payloads("sites/house1/regpoll/plc/voltage");
    ASSERT_FALSE(voltage.empty()) << "nothing bridged to the central broker";
    EXPECT_EQ(voltage.front(), "230.5");
    EXPECT_FALSE(central.payloads("sites/house1/regpoll/plc/availability").empty());
    // The bridge reports itself centrally, and nothing arrives outside the site's prefix.
    const auto bridge = central.payloads("sites/house1/bridge/state");
    ASSERT_FALSE(bridge.empty());
    EXPECT_EQ(bridge.front(), "1");
    for (const auto& m : central.got) {
        EXPECT_TRUE(m.topic.starts_with("sites/house1/")) << m.topic;
    }
}

TEST_F(MqttBridgeTest, NothingIsLostWhileTheCentralBrokerIsDown) {
    auto central = std::make_unique<Subscriber>(central_->uri(), "central-" + name_);
    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config(), "--output", "jsonl", "--log-level", "warn"},
                       "{\"ts\":", 30s);
    central->collect(3s);
    central->disconnect();  // what arrived until the very end counts as "before"
    const auto before = central->times(kState);
    central.reset();
    central_->stop();  // the site's uplink is down for ~5 polls; regpoll's own broker is fine
    std::this_thread::sleep_for(5s);
    central_->start();
    central = std::make_unique<Subscriber>(central_->uri(), "central-" + name_);  // its session was kept
    std::this_thread::sleep_for(4s);
    const std::string out = poller.read_available_stdout();
    EXPECT_EQ(poller.stop(), 0);
    const auto polled = jsonl_times(out, "voltage");
    // What the bridge queued during the outage may still be on its way on a loaded machine:
    // wait (up to 20 s) until every polled sample has arrived, or fail below on the missing.
    central->collect(20s, [&](const std::vector<Received>&) {
        std::set<std::int64_t> got(before.begin(), before.end());
        for (auto ts : central->times(kState)) got.insert(ts);
        return std::all_of(polled.begin(), polled.end(), [&](std::int64_t ts) { return got.count(ts) > 0; });
    });
    const auto after = central->times(kState);
    ASSERT_GE(polled.size(), 10U);
    ASSERT_FALSE(before.empty()) << "nothing bridged before the outage";
    std::vector<std::int64_t> arrived = before;
    arrived.insert(arrived.end(), after.begin(), after.end());
    std::set<std::int64_t> seen(arrived.begin(), arrived.end());
    std::size_t during_outage = 0;
    for (auto ts : polled) {
        EXPECT_TRUE(seen.count(ts)) << "the sample polled at " << ts << " never reached the central broker";
        if (ts > before.back() && !after.empty() && ts < after.back()) ++during_outage;
    }
    EXPECT_GE(during_outage, 3U) << "the outage covered too few polls to prove anything";
    for (std::size_t i = 1; i < arrived.size(); ++i) EXPECT_GE(arrived[i], arrived[i - 1]) << "out of order at " << i;
}

TEST_F(MqttBridgeTest, AWriteSentCentrallyReachesTheDevice) {
    Subscriber central(central_->uri(), "central-" + name_);
    PeerProcess poller = quiet_regpoll();
    central.collect(15s, [](const std::vector<Received>& got) {
        return std::any_of(got.begin(), got.end(),
                           [](const Received& m) { return m.topic == "sites/house1/regpoll/plc/power_limit"; });
    });
    ASSERT_FALSE(central.payloads("sites/house1/regpoll/plc/power_limit").empty());
    central.publish("sites/house1/regpoll/plc/power_limit/set", "55.5");
    // The device holds 555 once the command came in through the bridge.
    int held = 0;
    for (int i = 0; i < 50 && held != 555; ++i) {
        std::this_thread::sleep_for(200ms);
        held = mbpoll_read(peer_->ready_port(), "4", 11)[10];
    }
    EXPECT_EQ(held, 555);
    central.collect(5s, [](const std::vector<Received>& got) {
        return std::any_of(got.begin(), got.end(), [](const Received& m) {
            return m.topic == "sites/house1/regpoll/plc/power_limit" && m.payload == "55.5";
        });
    });
    EXPECT_EQ(poller.stop(), 0);
    const auto limits = central.payloads("sites/house1/regpoll/plc/power_limit");
    ASSERT_FALSE(limits.empty());
    EXPECT_EQ(limits.back(), "55.5");
}

}  // namespace
}  // namespace regpoll::testing
