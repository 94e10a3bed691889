// Writes through a Growatt Shine datalogger, end to end: `regpoll simulate --shine` plays
// the stick and its inverter, `regpoll run` listens on shine+listen://, a real mosquitto
// carries the MQTT write. The stick takes 0x06 (one register) and 0x10 (several) into its
// holding registers and answers 0x05; its log says what reached it. After an announce
// regpoll brings the stick's upload interval and clock in line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* profile_text = R"({ "manufacturer": "Test", "model": "Shine inverter", "source": "test",
  "limits": { "max_registers": 125 },
  "points": [
    { "name": "status", "register": "input", "address": 3000 },
    { "name": "ac_power", "register": "input", "address": 3023, "type": "int32", "scale": 0.1 },
    { "name": "active_power_limit", "register": "holding", "address": 3, "unit": "%", "writable": true,
      "min": 0, "max": 100 },
    { "name": "export_limit", "register": "holding", "address": 10, "type": "uint32", "unit": "W",
      "writable": true, "min": 0, "max": 100000 },
    { "name": "relay", "register": "coil", "address": 0, "type": "bool", "writable": true } ] })";

class ShineWrite : public ::testing::Test {
  protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = fs::temp_directory_path() / ("regpoll-shine-write-" + std::to_string(::getpid()) + "-" + name_);
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(dir_ / "inverter.json") << profile_text;
        broker_.emplace(name_);
        port_ = free_loopback_port();
    }
    void TearDown() override {
        if (HasFailure()) {
            if (regpoll_) std::cerr << "regpoll's log:\n" << regpoll_->stderr_log() << "\n";
            if (stick_) std::cerr << "the stick's log:\n" << stick_->stderr_log() << "\n";
        }
        regpoll_.reset();
        stick_.reset();
        fs::remove_all(dir_);
    }

    std::string write_site(const std::string& device_extra) {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "shine", "uri": "shine+listen://127.0.0.1:)" << port_ << R"(" } ],
          "devices": [ { "name": "inv", "bus": "shine", "datalogger": "SIMLOG0001", "profile": "./inverter.json",
                         "writes": "all", "write_interval": "0s")" << device_extra << R"( } ],
          "mqtt": { "broker": ")" << broker_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(" } })";
        return path;
    }
    void start_regpoll(const std::string& device_extra) {
        const auto path = write_site(device_extra);
        regpoll_.emplace(std::vector<std::string>{"/bin/sh", "-c",
                                                  std::string("echo READY; exec ") + REGPOLL_BINARY + " run -c " +
                                                      path + " --output none"},
                         "READY", 20s, (dir_ / "regpoll.log").string());
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (!port_open(port_)) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "regpoll did not listen";
            std::this_thread::sleep_for(50ms);
        }
    }
    void start_stick(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> argv{REGPOLL_BINARY, "simulate", "--shine", "tcp://127.0.0.1:" + std::to_string(port_),
                                      "--profile", (dir_ / "inverter.json").string(), "--datalogger", "SIMLOG0001",
                                      "--inverter", "SIMINV0001", "--freeze"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        stick_.emplace(argv, "READY", 20s, (dir_ / "stick.log").string());
    }

    // Waits up to `limit` for `text` in a log.
    static bool log_has(const PeerProcess& p, const std::string& text, std::chrono::seconds limit = 15s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (p.stderr_log().find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(50ms);
        }
        return true;
    }

    // Publishes a write and waits for its result.
    json set(Subscriber& sub, const std::string& point, const std::string& payload) {
        const auto from = sub.got.size();
        const std::string result = "regpoll/inv/" + point + "/result";
        sub.publish("regpoll/inv/" + point + "/set", payload);
        sub.collect(45s, [&](const std::vector<Received>& got) {
            for (std::size_t i = from; i < got.size(); ++i) if (got[i].topic == result) return true;
            return false;
        });
        for (std::size_t i = from; i < sub.got.size(); ++i) {
            if (sub.got[i].topic == result) return json::parse(sub.got[i].payload);
        }
        ADD_FAILURE() << "no message on " << result;
        return json();
    }

    std::string name_;
    fs::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> regpoll_, stick_;
    std::uint16_t port_ = 0;
};

TEST_F(ShineWrite, MqttWritesReachTheInverterThroughTheStickAndAreReadBack) {
    Subscriber sub(broker_->uri(), "watch-" + name_);
    start_regpoll(R"(, "upload_interval": "1s")");
    ASSERT_TRUE(log_has(*regpoll_, "MQTT: connected to"));
    std::this_thread::sleep_for(500ms);  // its subscription reaches the broker
    // Not connected yet: refused at once, naming the datalogger.
    const json early = set(sub, "active_power_limit", "50");
    EXPECT_EQ(early.value("ok", true), false);
    EXPECT_NE(early.value("error", "").find("datalogger SIMLOG0001 is not connected"), std::string::npos) << early;

    start_stick({"--upload-interval", "1s"});
    ASSERT_TRUE(log_has(*regpoll_, "device inv: online"));

    // One register: 0x06, read back with 0x05.
    json r = set(sub, "active_power_limit", "50");
    EXPECT_EQ(r, json::parse(R"({"ok":true,"value":50})"));
    EXPECT_TRUE(log_has(*stick_, "0x06 write holding 3 = 50: taken"));
    EXPECT_TRUE(log_has(*stick_, "0x05 read holding 3-3: answered"));
    // Two registers: 0x10.
    r = set(sub, "export_limit", "70000");
    EXPECT_EQ(r, json::parse(R"({"ok":true,"value":70000})"));
    EXPECT_TRUE(log_has(*stick_, "0x10 write holding 10 = 1 4464: taken"));
    // The read-back value is a sample like any other.
    sub.collect(5s, [](const std::vector<Received>& got) {
        for (const auto& m : got) if (m.topic == "regpoll/inv/export_limit" && m.payload == "70000") return true;
        return false;
    });
    bool seen = false;
    for (const auto& m : sub.got) seen = seen || (m.topic == "regpoll/inv/export_limit" && m.payload == "70000");
    EXPECT_TRUE(seen);

    // Out of range and not a holding register: refused before anything is sent.
    r = set(sub, "active_power_limit", "150");
    EXPECT_EQ(r.value("ok", true), false);
    r = set(sub, "relay", "ON");
    EXPECT_EQ(r.value("ok", true), false);
    EXPECT_NE(r.value("error", "").find("only holding registers"), std::string::npos) << r;

    // The stick gone: a clear error again.
    stick_->stop();
    ASSERT_TRUE(log_has(*regpoll_, " disconnected ("));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    json late;
    do {
        late = set(sub, "active_power_limit", "40");
        if (late.value("ok", true) == false) break;
        std::this_thread::sleep_for(200ms);
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_NE(late.value("error", "").find("datalogger SIMLOG0001 is not connected"), std::string::npos) << late;
}

TEST_F(ShineWrite, AfterAnAnnounceTheUploadIntervalAndClockAreSet) {
    start_regpoll(R"(, "upload_interval": "1m")");
    start_stick({"--upload-interval", "5m", "--clock-skew", "-2h"});
    EXPECT_TRUE(log_has(*regpoll_, "upload interval changed from \"5\" to \"1\" minutes"));
    EXPECT_TRUE(log_has(*regpoll_, "clock set from"));
    EXPECT_TRUE(log_has(*stick_, "setting 4 set to \"1\""));
    EXPECT_TRUE(log_has(*stick_, "setting 31 set to"));
}

TEST_F(ShineWrite, ClockLeftAloneWhenTheDeviceSaysSo) {
    start_regpoll(R"(, "upload_interval": "1s", "set_clock": false)");
    start_stick({"--upload-interval", "1s", "--clock-skew", "-2h"});
    ASSERT_TRUE(log_has(*regpoll_, "device inv: online"));
    std::this_thread::sleep_for(2s);
    EXPECT_EQ(regpoll_->stderr_log().find("clock set from"), std::string::npos);
    EXPECT_EQ(regpoll_->stderr_log().find("upload interval changed"), std::string::npos)
        << "the stick already sends every second";
    EXPECT_EQ(stick_->stderr_log().find("setting 31 set to"), std::string::npos);
}

// `regpoll write` binds the bus's port itself, waits for the stick to dial in, writes and
// reads back; with the port taken by `regpoll run` it says to write through MQTT.
TEST_F(ShineWrite, WriteCommandWaitsForTheStickToDialIn) {
    const auto site = write_site("");
    const std::vector<std::string> write{REGPOLL_BINARY, "write", "-c", site, "--device", "inv",
                                         "--point", "active_power_limit", "60", "--wait", "30s"};
    auto alone = run_command({REGPOLL_BINARY, "write", "-c", site, "--device", "inv", "--point",
                              "active_power_limit", "60", "--wait", "1s"}, 30s);
    EXPECT_NE(alone.exit_code, 0);
    EXPECT_NE(alone.err.find("datalogger SIMLOG0001 did not dial in"), std::string::npos) << alone.err;

    start_stick({"--upload-interval", "1s"});
    auto done = run_command(write, 60s);
    EXPECT_EQ(done.exit_code, 0) << done.err;
    EXPECT_NE(done.out.find("wrote 60 to inv/active_power_limit; read back 60"), std::string::npos) << done.out;
    EXPECT_NE(done.err.find("waiting up to 30s for datalogger SIMLOG0001"), std::string::npos) << done.err;
    EXPECT_TRUE(log_has(*stick_, "0x06 write holding 3 = 60: taken"));

    start_regpoll("");
    auto taken = run_command(write, 30s);
    EXPECT_NE(taken.exit_code, 0);
    EXPECT_NE(taken.err.find("write through MQTT"), std::string::npos) << taken.err;
}

}  // namespace
}  // namespace regpoll::testing
