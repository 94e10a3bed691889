// Writes from MQTT, Domoticz and Home Assistant, end to end: `regpoll run` with a real
// mosquitto, Debian's pymodbus as the device, and mbpoll reading the device's registers on
// its own, so every check sees what really reached the device.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <csignal>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "mbpoll.hpp"
#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"
#include "socat.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

class MqttWriteTest : public ::testing::Test {
protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = fs::temp_directory_path() / ("regpoll-write-test-" + std::to_string(::getpid()) + "-" + name_);
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(dir_ / "values.json") << R"({
          "holding": { "10": [1000], "20": [0, 0], "30": [0], "40": [240], "50": [7], "60": [5] },
          "coils": { "0": [0] } })";
        broker_.emplace(name_);
        peer_.emplace(start_modbus_peer({"--transport", "tcp", "--units", "1", "--values", (dir_ / "values.json").string()}));
    }
    void TearDown() override {
        if (regpoll_ && HasFailure()) std::cerr << "regpoll's log:\n" << regpoll_->stderr_log() << "\n";
        regpoll_.reset();
        fs::remove_all(dir_);
    }

    std::string config(const std::string& write_interval) {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" << peer_->ready_port() << R"(" } ],
          "devices": [ { "name": "plc", "bus": "lab", "unit": 1, "interval": "5s",
            "writes": ["relay", "power_limit", "setpoint", "mode", "heater"],
            "write_interval": ")" << write_interval << R"(",
            "points": [
              { "name": "relay", "register": "coil", "address": 0, "type": "bool", "writable": true },
              { "name": "power_limit", "address": 10, "type": "int16", "scale": 0.1, "unit": "%",
                "writable": true, "min": 0, "max": 100 },
              { "name": "setpoint", "address": 20, "type": "float32", "order": "CDAB", "unit": "°C",
                "writable": true, "min": 5, "max": 35 },
              { "name": "mode", "address": 30, "type": "uint16", "writable": true,
                "map": { "0": "Load First", "1": "Battery First", "2": "Grid First" } },
              { "name": "heater", "address": 40, "bit": 0, "writable": true },
              { "name": "serial", "address": 50, "type": "uint16" },
              { "name": "reserve", "address": 60, "type": "uint16", "writable": true } ],
            "domoticz": [ { "idx": 20, "type": "switch", "point": "relay" },
                          { "idx": 21, "type": "selector", "point": "mode" },
                          { "idx": 22, "type": "setpoint", "point": "setpoint" } ] } ],
          "mqtt": { "broker": ")" << broker_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(",
                    "homeassistant": true, "outbox": { "path": ")" << (dir_ / "outbox.db").string() << R"(" } } })";
        return path;
    }

    void start_regpoll(const std::string& cfg) {
        regpoll_.emplace(std::vector<std::string>{REGPOLL_BINARY, "run", "-c", cfg, "--output", "jsonl"}, "{\"ts\"", 20s,
                         (dir_ / "regpoll.log").string());
    }
    // Without samples on stdout (nobody drains the pipe: a fast poll would fill it).
    void start_quiet_regpoll(const std::string& cfg) {
        regpoll_.emplace(std::vector<std::string>{"/bin/sh", "-c", std::string("echo READY; exec ") + REGPOLL_BINARY +
                                                                      " run -c " + cfg + " --output none"},
                         "READY", 20s, (dir_ / "regpoll.log").string());
    }

    // regpoll has connected and subscribed: its first state message is out.
    static void wait_ready(Subscriber& sub) {
        sub.collect(10s, [](const std::vector<Received>& got) {
            for (const auto& r : got) if (r.topic == "regpoll/plc/state") return true;
            return false;
        });
    }

    // The device's holding registers 0..69 and coil 0, read by mbpoll.
    std::map<int, int> registers(const std::string& table = "4", int count = 70) {
        return mbpoll_read(peer_->ready_port(), table, count);
    }
    int coil0() { return registers("0", 1)[0]; }

    // Publishes `payload` and waits for the next message on `result_topic`.
    json ask(Subscriber& sub, const std::string& topic, const std::string& payload, const std::string& result_topic) {
        const auto from = sub.got.size();
        sub.publish(topic, payload);
        sub.collect(10s, [&](const std::vector<Received>& got) {
            for (std::size_t i = from; i < got.size(); ++i) if (got[i].topic == result_topic) return true;
            return false;
        });
        for (std::size_t i = from; i < sub.got.size(); ++i) {
            if (sub.got[i].topic == result_topic) return json::parse(sub.got[i].payload);
        }
        ADD_FAILURE() << "no message on " << result_topic << " after " << topic << " " << payload;
        return json();
    }
    json set(Subscriber& sub, const std::string& point, const std::string& payload) {
        return ask(sub, "regpoll/plc/" + point + "/set", payload, "regpoll/plc/" + point + "/result");
    }
    // Whether `topic` got `payload` after message number `from`.
    static bool seen_after(const Subscriber& sub, std::size_t from, const std::string& topic, const std::string& payload) {
        for (std::size_t i = from; i < sub.got.size(); ++i) {
            if (sub.got[i].topic == topic && sub.got[i].payload == payload) return true;
        }
        return false;
    }

    std::string name_;
    fs::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> peer_;
    std::optional<PeerProcess> regpoll_;
};

TEST_F(MqttWriteTest, EveryPayloadKindReachesTheDeviceAndIsReadBack) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(config("100ms"));
    wait_ready(sub);

    // bool (coil): ON/OFF, true/false, 1/0, JSON
    EXPECT_EQ(set(sub, "relay", "ON"), json::parse(R"({"ok":true,"value":true})"));
    EXPECT_EQ(coil0(), 1);
    EXPECT_EQ(set(sub, "relay", "false"), json::parse(R"({"ok":true,"value":false})"));
    EXPECT_EQ(coil0(), 0);
    EXPECT_EQ(set(sub, "relay", R"({"value": true})"), json::parse(R"({"ok":true,"value":true})"));
    EXPECT_EQ(coil0(), 1);

    // int16 scaled by 0.1: the device gets 555; the read-back goes out on the point's topic.
    auto from = sub.got.size();
    EXPECT_EQ(set(sub, "power_limit", "55.5"), json::parse(R"({"ok":true,"value":55.5})"));
    EXPECT_EQ(registers()[10], 555);
    sub.collect(3s, [&](const std::vector<Received>&) { return seen_after(sub, from, "regpoll/plc/power_limit", "55.5"); });
    EXPECT_TRUE(seen_after(sub, from, "regpoll/plc/power_limit", "55.5"));
    EXPECT_EQ(set(sub, "power_limit", R"({"value": 42})"), json::parse(R"({"ok":true,"value":42})"));
    EXPECT_EQ(registers()[10], 420);

    // float32 in CDAB order: 21.5f = 0x41AC0000, low word first.
    EXPECT_EQ(set(sub, "setpoint", "21.5"), json::parse(R"({"ok":true,"value":21.5})"));
    auto regs = registers();
    EXPECT_EQ(regs[20], 0);
    EXPECT_EQ(regs[21], 0x41AC);

    // Mapped text, any letter case, reversed through the map.
    EXPECT_EQ(set(sub, "mode", "Battery First"), json::parse(R"({"ok":true,"value":"Battery First"})"));
    EXPECT_EQ(registers()[30], 1);
    EXPECT_EQ(set(sub, "mode", "grid first"), json::parse(R"({"ok":true,"value":"Grid First"})"));
    EXPECT_EQ(registers()[30], 2);

    // The other payload kinds each type takes.
    EXPECT_EQ(set(sub, "relay", "OFF")["value"], false);
    EXPECT_EQ(coil0(), 0);
    EXPECT_EQ(set(sub, "relay", "1")["value"], true);
    EXPECT_EQ(coil0(), 1);
    EXPECT_EQ(set(sub, "power_limit", R"({"value": "12.3"})")["value"], 12.3);
    EXPECT_EQ(registers()[10], 123);
    EXPECT_EQ(set(sub, "setpoint", R"({"value": 22.5})")["value"], 22.5);
    EXPECT_EQ(registers()[21], 0x41B4);  // 22.5f = 0x41B40000
    EXPECT_EQ(set(sub, "mode", "0")["value"], "Load First");
    EXPECT_EQ(registers()[30], 0);
    EXPECT_EQ(set(sub, "mode", R"({"value": "Battery First"})")["value"], "Battery First");
    EXPECT_EQ(registers()[30], 1);

    // One bit of a register: the other bits stay (0xF0 → 0xF1).
    EXPECT_EQ(set(sub, "heater", "ON"), json::parse(R"({"ok":true,"value":true})"));
    EXPECT_EQ(registers()[40], 0xF1);
}

TEST_F(MqttWriteTest, RefusedWritesLeaveTheDeviceUnchanged) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(config("100ms"));
    wait_ready(sub);
    const auto before = registers();
    const auto coil_before = coil0();
    auto refused = [&](const std::string& point, const std::string& payload, const std::string& error) {
        auto r = set(sub, point, payload);
        EXPECT_EQ(r, json({{"ok", false}, {"error", error}})) << point << " " << payload;
    };
    refused("serial", "9", "point serial of device plc is not writable (its profile does not mark it \"writable\")");
    refused("reserve", "9", "writes to point reserve of device plc are not allowed (the site configuration lists the "
                            "points it allows in the device's \"writes\", or \"all\")");
    refused("power_limit", "100.5", "device plc: 100.5 is above the maximum 100 of point power_limit");
    refused("power_limit", "-1", "device plc: -1 is below the minimum 0 of point power_limit");
    refused("power_limit", "abc", "device plc: payload \"abc\" does not fit point power_limit: expected a number (type int16)");
    refused("power_limit", "{\"value\": ", "device plc: payload \"{\"value\": \" is not valid JSON");
    refused("setpoint", "nan", "device plc: payload \"nan\" is not a finite number");
    refused("mode", "Solar First", "device plc: payload \"Solar First\" does not fit point mode: expected one of "
                                   "Load First (0), Battery First (1), Grid First (2)");
    refused("relay", "maybe", "device plc: payload \"maybe\" does not fit point relay: expected ON/OFF, true/false or 1/0");
    refused("nosuch", "1", "device plc has no point \"nosuch\"");
    EXPECT_EQ(ask(sub, "regpoll/ghost/x/set", "1", "regpoll/ghost/x/result"),
              json({{"ok", false}, {"error", "no device \"ghost\" in " + (dir_ / "site.json").string()}}));
    EXPECT_EQ(registers(), before);
    EXPECT_EQ(coil0(), coil_before);
    const auto log = regpoll_->stderr_log();
    EXPECT_NE(log.find("write refused: point serial of device plc is not writable"), std::string::npos) << log;
    EXPECT_NE(log.find("write refused: device plc: 100.5 is above the maximum 100"), std::string::npos) << log;
}

TEST_F(MqttWriteTest, DomoticzSwitchSelectorAndSetpoint) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(config("100ms"));
    // regpoll's first poll feeds Domoticz: relay off (nvalue 0), mode level 0, setpoint 0.
    sub.collect(10s, [](const std::vector<Received>& got) {
        int n = 0;
        for (const auto& r : got) n += r.topic == "domoticz/in" ? 1 : 0;
        return n >= 3;
    });
    const auto in = sub.payloads("domoticz/in");
    ASSERT_GE(in.size(), 3U);
    EXPECT_EQ(in[0], R"({"idx":20,"nvalue":0,"svalue":""})");
    EXPECT_EQ(in[1], R"({"command":"switchlight","idx":21,"switchcmd":"Set Level","level":0})");
    EXPECT_EQ(in[2], R"({"idx":22,"nvalue":0,"svalue":"0"})");

    // The user switches the relay on in Domoticz.
    EXPECT_EQ(ask(sub, "domoticz/out", R"({"idx":20,"nvalue":1,"svalue1":"0","dtype":"Light/Switch","switchType":"On/Off"})",
                  "regpoll/plc/relay/result"),
              json::parse(R"({"ok":true,"value":true})"));
    EXPECT_EQ(coil0(), 1);
    // The selector to level 20: the map's third value.
    EXPECT_EQ(ask(sub, "domoticz/out", R"({"idx":21,"nvalue":2,"svalue1":"20","switchType":"Selector"})",
                  "regpoll/plc/mode/result"),
              json::parse(R"({"ok":true,"value":"Grid First"})"));
    EXPECT_EQ(registers()[30], 2);
    // The thermostat setpoint.
    auto from = sub.got.size();
    EXPECT_EQ(ask(sub, "domoticz/out", R"({"idx":22,"nvalue":0,"svalue1":"23.5","dtype":"Thermostat"})",
                  "regpoll/plc/setpoint/result"),
              json::parse(R"({"ok":true,"value":23.5})"));
    EXPECT_EQ(registers()[21], 0x41BC);  // 23.5f = 0x41BC0000
    // The read-back goes to Domoticz; its echo on domoticz/out (Prevent Loop off) asks for the
    // value the point has, and is not written again.
    sub.collect(3s, [&](const std::vector<Received>&) {
        return seen_after(sub, from, "domoticz/in", R"({"idx":22,"nvalue":0,"svalue":"23.5"})");
    });
    ASSERT_TRUE(seen_after(sub, from, "domoticz/in", R"({"idx":22,"nvalue":0,"svalue":"23.5"})"));
    from = sub.got.size();
    sub.publish("domoticz/out", R"({"idx":22,"nvalue":0,"svalue1":"23.50","dtype":"Thermostat"})");
    sub.publish("domoticz/out", R"({"idx":20,"nvalue":1,"svalue1":"0"})");
    sub.collect(2s);
    EXPECT_FALSE(seen_after(sub, from, "regpoll/plc/setpoint/result", R"({"ok":true,"value":23.5})"));
    EXPECT_TRUE(sub.payloads("regpoll/plc/relay/result").size() == 1U);
    // Domoticz devices regpoll does not write are none of its business.
    sub.publish("domoticz/out", R"({"idx":99,"nvalue":1})");
    sub.collect(1s);
    EXPECT_EQ(regpoll_->stderr_log().find("idx 99"), std::string::npos);
}

TEST_F(MqttWriteTest, HomeAssistantSwitchNumberSelect) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(config("100ms"));
    std::map<std::string, json> configs;
    sub.collect(10s, [&](const std::vector<Received>& got) {
        configs.clear();
        for (const auto& r : got) {
            if (r.topic.starts_with("homeassistant/") && !r.payload.empty()) configs[r.topic] = json::parse(r.payload);
        }
        return configs.size() >= 7;
    });
    ASSERT_EQ(configs.size(), 7U);
    const auto& relay = configs.at("homeassistant/switch/regpoll_plc/relay/config");
    EXPECT_EQ(relay["command_topic"], "regpoll/plc/relay/set");
    EXPECT_EQ(relay["payload_on"], "ON");
    EXPECT_EQ(relay["value_template"],
              "{% if 'relay' not in value_json or value_json['relay'] is none %}None{% elif value_json['relay'] %}ON{% else %}OFF{% endif %}");
    const auto& limit = configs.at("homeassistant/number/regpoll_plc/power_limit/config");
    EXPECT_EQ(limit["command_topic"], "regpoll/plc/power_limit/set");
    EXPECT_EQ(limit["min"], 0.0);
    EXPECT_EQ(limit["max"], 100.0);
    EXPECT_DOUBLE_EQ(limit["step"].get<double>(), 0.1);
    const auto& setpoint = configs.at("homeassistant/number/regpoll_plc/setpoint/config");
    EXPECT_EQ(setpoint["min"], 5.0);
    EXPECT_EQ(setpoint["max"], 35.0);
    const auto& mode = configs.at("homeassistant/select/regpoll_plc/mode/config");
    EXPECT_EQ(mode["options"], json::parse(R"(["Load First","Battery First","Grid First"])"));
    EXPECT_EQ(configs.at("homeassistant/switch/regpoll_plc/heater/config")["command_topic"], "regpoll/plc/heater/set");
    EXPECT_FALSE(configs.at("homeassistant/sensor/regpoll_plc/serial/config").contains("command_topic"));
    EXPECT_FALSE(configs.at("homeassistant/sensor/regpoll_plc/reserve/config").contains("command_topic"));
    // What Home Assistant sends for each: a select option, a number, ON.
    EXPECT_EQ(set(sub, "mode", "Battery First")["ok"], true);
    EXPECT_EQ(set(sub, "setpoint", "19.5")["value"], 19.5);
    EXPECT_EQ(set(sub, "heater", "OFF")["value"], false);
    auto regs = registers();
    EXPECT_EQ(regs[30], 1);
    EXPECT_EQ(regs[21], 0x419C);  // 19.5f
    EXPECT_EQ(regs[40], 0xF0);
}

TEST_F(MqttWriteTest, BurstKeepsTheNewestAndRetainedCommandsAreIgnored) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    // A retained command left on the broker is not carried out at start.
    sub.publish("regpoll/plc/power_limit/set", "77", true);
    start_regpoll(config("1s"));
    wait_ready(sub);
    sub.collect(500ms);
    EXPECT_EQ(registers()[10], 1000);
    EXPECT_TRUE(sub.payloads("regpoll/plc/power_limit/result").empty());
    sub.publish("regpoll/plc/power_limit/set", "", true);  // clears it; an empty message is no command

    // Four values within a second: the first goes at once, the newest a second later, the
    // two between are superseded.
    for (const char* v : {"10", "20", "30", "40"}) sub.publish("regpoll/plc/power_limit/set", v);
    sub.collect(8s, [](const std::vector<Received>& got) {
        int n = 0;
        for (const auto& r : got) n += r.topic == "regpoll/plc/power_limit/result" ? 1 : 0;
        return n >= 4;
    });
    auto results = sub.payloads("regpoll/plc/power_limit/result");
    ASSERT_EQ(results.size(), 4U);
    std::vector<json> got;
    for (const auto& r : results) got.push_back(json::parse(r));
    auto count = [&](const char* expected) { return std::count(got.begin(), got.end(), json::parse(expected)); };
    EXPECT_EQ(count(R"({"ok":true,"value":10})"), 1) << results[0];
    EXPECT_EQ(count(R"({"ok":true,"value":40})"), 1);
    EXPECT_EQ(count(R"({"ok":false,"error":"superseded by a newer value (30) within the write interval"})"), 1);
    EXPECT_EQ(count(R"({"ok":false,"error":"superseded by a newer value (40) within the write interval"})"), 1);
    EXPECT_EQ(registers()[10], 400);
}

TEST_F(MqttWriteTest, CommandLineWriteUsesTheSameEncoderAndChecks) {
    const auto cfg = config("1s");
    auto r = run_command({REGPOLL_BINARY, "write", "-c", cfg, "--device", "plc", "--point", "power_limit", "12.5"}, 20s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "wrote 12.5 to plc/power_limit; read back 12.5 %\n");
    EXPECT_EQ(registers()[10], 125);
    r = run_command({REGPOLL_BINARY, "write", "-c", cfg, "--device", "plc", "--point", "setpoint", "--json", "{\"value\": 30}"}, 20s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), json::parse(R"({"device":"plc","point":"setpoint","ok":true,"value":30})"));
    EXPECT_EQ(registers()[21], 0x41F0);  // 30.0f

    // validate says what may be written and where.
    r = run_command({REGPOLL_BINARY, "validate", "-c", cfg}, 20s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("writes: device plc: relay, power_limit, setpoint, mode, heater (commands on "
                         "regpoll/plc/<point>/set, at most one per point every 1000 ms)"),
              std::string::npos)
        << r.out;

    const auto before = registers();
    r = run_command({REGPOLL_BINARY, "write", "-c", cfg, "--device", "plc", "--point", "serial", "3"}, 20s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "regpoll: point serial of device plc is not writable (its profile does not mark it \"writable\")\n");
    r = run_command({REGPOLL_BINARY, "write", "-c", cfg, "--device", "plc", "--point", "power_limit", "200"}, 20s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "regpoll: 200 is above the maximum 100 of point power_limit\n");
    r = run_command({REGPOLL_BINARY, "write", "-c", cfg, "--device", "plc", "--point", "power_limit", "-a", "3", "5"}, 20s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--address: with -c the point's profile says how and where to write"), std::string::npos)
        << r.err;
    EXPECT_EQ(registers(), before);
}

// On a serial line, writes wait in the bus queue between polls: with the device polled back
// to back, every write succeeds and no poll sees a broken frame or a timeout.
TEST_F(MqttWriteTest, OnASerialLineWritesQueueBetweenPolls) {
    PtyPair line;
    PeerProcess rtu = start_modbus_peer({"--transport", "rtu", "--device", line.b(), "--units", "1", "--values",
                                         (dir_ / "values.json").string()});
    const auto cfg = (dir_ / "serial.json").string();
    std::ofstream(cfg) << R"({
      "buses": [ { "name": "rs485", "uri": "rtu://)" << line.a() << R"(?baud=19200&parity=E", "timeout": "500ms" } ],
      "devices": [ { "name": "plc", "bus": "rs485", "unit": 1, "interval": "0s", "writes": "all",
                     "write_interval": "50ms",
                     "points": [ { "name": "power_limit", "address": 10, "type": "int16", "scale": 0.1,
                                   "writable": true },
                                 { "name": "mode", "address": 30, "type": "uint16", "writable": true } ] } ],
      "poller": { "stats_interval": "1s" },
      "mqtt": { "broker": ")" << broker_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(",
                "outbox": { "path": ")" << (dir_ / "serial-outbox.db").string() << R"(" } } })";
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_quiet_regpoll(cfg);
    sub.collect(10s, [](const std::vector<Received>& got) {
        for (const auto& r : got) if (r.topic == "regpoll/plc/power_limit") return true;
        return false;
    });
    for (int i = 1; i <= 10; ++i) {
        const auto v = std::to_string(i * 5);
        EXPECT_EQ(set(sub, "power_limit", v), json({{"ok", true}, {"value", i * 5.0}})) << i;
        EXPECT_EQ(set(sub, "mode", std::to_string(i)), json({{"ok", true}, {"value", i}})) << i;
    }
    std::this_thread::sleep_for(1500ms);  // one more stats line, after the writes
    regpoll_->stop();
    const auto log = regpoll_->stderr_log();
    static const std::regex stats(R"(device plc: (\d+) cycles, (\d+) requests, (\d+) errors, (\d+) timeouts)");
    std::uint64_t cycles = 0, errors = 0;
    for (std::sregex_iterator it(log.begin(), log.end(), stats), end; it != end; ++it) {
        cycles += std::stoull((*it)[1]);
        errors += std::stoull((*it)[3]) + std::stoull((*it)[4]);
    }
    EXPECT_GT(cycles, 20U) << log;  // polling went on between the writes
    EXPECT_EQ(errors, 0U) << log;
}

// A SIGHUP that leaves the "mqtt" section as it was keeps the connection: no "offline" on the
// status topic (Home Assistant would blank every entity), the device that left says offline
// and loses its discovery configs, the new one is announced and takes commands at once, and
// the old command topics no longer act.
TEST_F(MqttWriteTest, AReloadKeepsTheConnectionAndFollowsTheNewConfiguration) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    const auto cfg = config("100ms");
    start_quiet_regpoll(cfg);
    wait_ready(sub);

    std::string text;
    {
        std::ifstream in(cfg);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto at = text.find(R"("name": "plc")");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 13, R"("name": "boiler")");
    std::ofstream(cfg, std::ios::trunc) << text;
    const auto from = sub.got.size();
    ASSERT_TRUE(regpoll_->send_signal(SIGHUP));
    sub.collect(10s, [&](const std::vector<Received>& got) {
        for (std::size_t i = from; i < got.size(); ++i) if (got[i].topic == "regpoll/boiler/state") return true;
        return false;
    });
    EXPECT_FALSE(seen_after(sub, from, "regpoll/status", "offline")) << "the reload dropped the connection";
    EXPECT_TRUE(seen_after(sub, from, "regpoll/plc/availability", "offline"));
    std::size_t announced = 0, removed = 0;
    for (std::size_t i = from; i < sub.got.size(); ++i) {
        const auto& r = sub.got[i];
        if (!r.topic.starts_with("homeassistant/") || !r.topic.ends_with("/config")) continue;
        if (r.topic.find("boiler") != std::string::npos && !r.payload.empty()) ++announced;
        if (r.topic.find("plc") != std::string::npos && r.payload.empty()) ++removed;
    }
    EXPECT_EQ(announced, 7U) << "one discovery config per point of the renamed device";
    EXPECT_EQ(removed, 7U) << "the old device's configs are cleared";

    // The new command topic acts; the old one is no longer subscribed.
    EXPECT_EQ(ask(sub, "regpoll/boiler/power_limit/set", "42", "regpoll/boiler/power_limit/result"),
              json({{"ok", true}, {"value", 42.0}}));
    EXPECT_EQ(registers()[10], 420);
    const auto before_old = sub.got.size();
    sub.publish("regpoll/plc/power_limit/set", "17");
    std::this_thread::sleep_for(1500ms);
    for (std::size_t i = before_old; i < sub.got.size(); ++i)
        EXPECT_NE(sub.got[i].topic, "regpoll/plc/power_limit/result") << sub.got[i].payload;
    EXPECT_EQ(registers()[10], 420) << "a command for the device that left was carried out";

    regpoll_->stop();
    const auto log = regpoll_->stderr_log();
    std::size_t connects = 0;
    for (auto p = log.find("MQTT: connected to"); p != std::string::npos; p = log.find("MQTT: connected to", p + 1))
        ++connects;
    EXPECT_EQ(connects, 1U) << log;
}

}  // namespace
}  // namespace regpoll::testing
