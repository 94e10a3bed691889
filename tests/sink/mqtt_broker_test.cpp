// regpoll run publishing to a real mosquitto, read back by a real MQTT client: every topic
// and payload, and nothing lost while the broker is down.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class MqttBrokerTest : public ::testing::Test {
protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = fs::temp_directory_path() / ("regpoll-mqtt-test-" + std::to_string(::getpid()) + "-" + name_);
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        broker_.emplace(name_);
        peer_.emplace(start_modbus_peer({"--transport", "tcp", "--units", "1", "--values",
                                         source_dir() + "/tests/integration/data/sdm120_values.json"}));
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string config(const std::string& interval) {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" << peer_->ready_port() << R"(" } ],
          "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120", "interval": ")"
                            << interval << R"(",
                         "domoticz": [ { "idx": 12, "type": "kwh", "power": "power", "energy": "import_energy" },
                                       { "idx": 13, "type": "voltage", "point": "voltage" } ] } ],
          "mqtt": { "broker": ")" << broker_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(",
                    "homeassistant": true } })";
        return path;
    }

    std::string name_;
    fs::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> peer_;
};

TEST_F(MqttBrokerTest, EveryTopicAndPayload) {
    Subscriber sub(broker_->uri(), "sub-" + name_);
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config("1s"), "--once", "--output", "none"}, 60s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    sub.collect(5s, [](const std::vector<Received>& got) {
        return std::any_of(got.begin(), got.end(),
                           [](const Received& m) { return m.topic == "regpoll/status" && m.payload == "offline"; });
    });
    EXPECT_EQ(sub.payloads("regpoll/meter/voltage"), std::vector<std::string>{"230.5"});
    EXPECT_EQ(sub.payloads("regpoll/meter/power"), std::vector<std::string>{"1210.125"});
    EXPECT_EQ(sub.payloads("regpoll/meter/import_energy"), std::vector<std::string>{"1234.5"});
    EXPECT_EQ(sub.payloads("regpoll/meter/availability"), (std::vector<std::string>{"online", "offline"}));
    EXPECT_EQ(sub.payloads("regpoll/status"), (std::vector<std::string>{"online", "offline"}));
    auto states = sub.payloads("regpoll/meter/state");
    ASSERT_FALSE(states.empty());
    auto last = nlohmann::json::parse(states.back());
    EXPECT_EQ(last.size(), 15U);  // ts + every SDM120 point
    EXPECT_EQ(last["voltage"], 230.5);
    EXPECT_EQ(last["total_energy"], 2000.0);
    const auto dz = sub.payloads("domoticz/in");
    EXPECT_NE(std::find(dz.begin(), dz.end(), R"({"idx":12,"nvalue":0,"svalue":"1210.125;1234500"})"), dz.end())
        << (dz.empty() ? "" : dz[0]);
    EXPECT_NE(std::find(dz.begin(), dz.end(), R"({"idx":13,"nvalue":0,"svalue":"230.5"})"), dz.end());
    auto ha = sub.payloads("homeassistant/sensor/regpoll_meter/voltage/config");
    ASSERT_EQ(ha.size(), 1U);
    EXPECT_EQ(nlohmann::json::parse(ha[0]), nlohmann::json::parse(R"({
        "name": "Voltage", "unique_id": "regpoll_meter_voltage", "default_entity_id": "sensor.regpoll_meter_voltage",
        "state_topic": "regpoll/meter/state",
        "value_template": "{{ 'None' if 'voltage' not in value_json or value_json['voltage'] is none else value_json['voltage'] }}",
        "unit_of_measurement": "V", "device_class": "voltage", "state_class": "measurement",
        "availability": [ { "topic": "regpoll/status" }, { "topic": "regpoll/meter/availability" } ],
        "availability_mode": "all",
        "device": { "identifiers": ["regpoll_meter"], "name": "meter", "manufacturer": "Eastron", "model": "SDM120" },
        "origin": { "name": "regpoll", "sw_version": "0.1.0" } })"));
    std::size_t configs = 0;
    for (const auto& m : sub.got) configs += m.topic.starts_with("homeassistant/sensor/regpoll_meter/") ? 1 : 0;
    EXPECT_EQ(configs, 14U);
}

// Over TLS, the broker's certificate checked against the "ca" of the configuration: paho
// leaves OpenSSL's start-up to OpenSSL, and a TLS broker still works. A client that trusts
// another CA is refused and its values wait in the outbox.
TEST_F(MqttBrokerTest, OverTlsWithTheConfiguredCa) {
    const auto cert = make_loopback_certificate(dir_.string());
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    fs::create_directories(dir_ / "other");
    ASSERT_EQ(make_loopback_certificate((dir_ / "other").string()).exit_code, 0);
    const auto tls_port = free_loopback_port();
    Mosquitto tls_broker(name_ + "-tls", "listener " + std::to_string(tls_port) + " 127.0.0.1\ncertfile " +
                                             (dir_ / "cert.pem").string() + "\nkeyfile " +
                                             (dir_ / "key.pem").string() + "\n");
    const auto site = [&](const std::string& ca) {
        const auto path = (dir_ / "tls-site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" << peer_->ready_port() << R"(" } ],
          "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120", "interval": "1s" } ],
          "mqtt": { "broker": "ssl://127.0.0.1:)" << tls_port << R"(", "client_id": "regpoll-tls",
                    "tls": { "ca": ")" << ca << R"(" }, "plain_topics": false } })";
        return path;
    };
    Subscriber sub(tls_broker.uri(), "sub-" + name_);  // the plain listener of the same broker
    auto r = run_command({REGPOLL_BINARY, "run", "-c", site((dir_ / "cert.pem").string()), "--once", "--output",
                          "none"},
                         60s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    sub.collect(5s, [](const std::vector<Received>& got) {
        return std::any_of(got.begin(), got.end(),
                           [](const Received& m) { return m.topic == "regpoll/status" && m.payload == "offline"; });
    });
    auto states = sub.payloads("regpoll/meter/state");
    ASSERT_FALSE(states.empty());  // one per read group of the profile
    EXPECT_EQ(nlohmann::json::parse(states.back())["voltage"], 230.5);
    EXPECT_EQ(sub.payloads("regpoll/status"), (std::vector<std::string>{"online", "offline"}));

    // The wrong CA: no connection, nothing published, the state waits in the outbox.
    Subscriber sub2(tls_broker.uri(), "sub2-" + name_);
    r = run_command({REGPOLL_BINARY, "run", "-c", site((dir_ / "other" / "cert.pem").string()), "--once",
                     "--output", "none"},
                    60s);
    sub2.collect(2s);
    EXPECT_TRUE(sub2.payloads("regpoll/meter/state").empty());
    EXPECT_NE(r.err.find("wait in"), std::string::npos) << r.err;
}

TEST_F(MqttBrokerTest, RemovedPointsLoseTheirDiscoveryConfig) {
    const auto cfg = config("1s");
    ASSERT_EQ(run_command({REGPOLL_BINARY, "run", "-c", cfg, "--once", "--output", "none"}, 60s).exit_code, 0);
    // same device, now with one inline point and no profile
    std::ofstream(cfg) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" << peer_->ready_port() << R"(" } ],
      "devices": [ { "name": "meter", "bus": "lab", "unit": 1,
                     "points": [ { "name": "voltage", "register": "input", "address": 0, "type": "float32", "unit": "V" } ] } ],
      "mqtt": { "broker": ")" << broker_->uri() << R"(", "client_id": "regpoll-x", "homeassistant": true } })";
    Subscriber sub(broker_->uri(), "sub-" + name_);
    ASSERT_EQ(run_command({REGPOLL_BINARY, "run", "-c", cfg, "--once", "--output", "none"}, 60s).exit_code, 0);
    sub.collect(4s);
    // retained empty configs delete the 13 points that left; voltage stays
    std::size_t deleted = 0;
    for (const auto& m : sub.got) {
        if (m.topic.starts_with("homeassistant/sensor/regpoll_meter/") && m.payload.empty()) ++deleted;
    }
    EXPECT_EQ(deleted, 13U);
    auto voltage = sub.payloads("homeassistant/sensor/regpoll_meter/voltage/config");
    ASSERT_FALSE(voltage.empty());
    EXPECT_FALSE(voltage.back().empty());
}

TEST_F(MqttBrokerTest, NothingIsLostWhileTheBrokerIsDown) {
    auto sub = std::make_unique<Subscriber>(broker_->uri(), "sub-" + name_);
    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config("1s"), "--output", "jsonl", "--log-level", "warn"},
                       "{\"ts\":", 30s);
    sub->collect(2500ms);
    sub->disconnect();  // what arrived until the very end counts as before the outage
    auto before_outage = sub->got;  // delivered live; the rest comes to the next session
    sub.reset();
    broker_->stop();  // an outage of ~4 polls
    std::this_thread::sleep_for(4000ms);
    broker_->start();
    sub = std::make_unique<Subscriber>(broker_->uri(), "sub-" + name_);  // its session was kept
    std::this_thread::sleep_for(4000ms);
    const std::string out = poller.read_available_stdout();
    EXPECT_EQ(poller.stop(), 0);
    sub->collect(5s);
    // Every voltage sample regpoll polled (on stdout) reached MQTT as a state update, in order.
    const auto polled = jsonl_times(out, "voltage");
    std::vector<std::int64_t> published;
    for (const auto& r : before_outage) {
        if (r.topic == "regpoll/meter/state") published.push_back(nlohmann::json::parse(r.payload)["ts"].get<std::int64_t>());
    }
    const auto after = sub->times("regpoll/meter/state");
    published.insert(published.end(), after.begin(), after.end());
    ASSERT_GE(polled.size(), 8U);
    std::set<std::int64_t> seen(published.begin(), published.end());
    for (auto ts : polled) EXPECT_TRUE(seen.count(ts)) << "sample at " << ts << " never reached the broker";
    // in order: the state timestamps never go backwards
    for (std::size_t i = 1; i < published.size(); ++i) EXPECT_GE(published[i], published[i - 1]) << i;
}

// Two shards of one site file on one broker at once: each under its own client id (the broker
// would otherwise drop one for the other), status topic and outbox; each device published by
// exactly one of them, its Home Assistant availability following its shard's status topic.
TEST_F(MqttBrokerTest, ShardsKeepTheirOwnClientIdStatusTopicAndOutbox) {
    const auto path = (dir_ / "site.json").string();
    {
        // meter and meter2 go to shard 1/2, meter3 and meter4 to shard 2/2 (rendezvous hashing).
        nlohmann::json site{
            {"buses",
             {{{"name", "lab"},
               {"uri", "tcp://127.0.0.1:" + std::to_string(peer_->ready_port())}}}},
            {"mqtt",
             {{"broker", broker_->uri()}, {"client_id", "fleet"}, {"homeassistant", true}}}};
        for (const char* name : {"meter", "meter2", "meter3", "meter4"}) {
            site["devices"].push_back(
                {{"name", name}, {"bus", "lab"}, {"unit", 1}, {"profile", "eastron/sdm120"}});
        }
        std::ofstream(path) << site.dump();
    }
    Subscriber sub(broker_->uri(), "sub-" + name_);
    auto run = [&](const std::string& shard) {
        return run_command(
            {REGPOLL_BINARY, "run", "-c", path, "--shard", shard, "--once", "--output", "none"},
            60s);
    };
    auto first = std::async(std::launch::async, run, "1/2");
    auto second = std::async(std::launch::async, run, "2/2");
    const auto r1 = first.get();
    const auto r2 = second.get();
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    EXPECT_NE(r1.err.find("as fleet-1-2"), std::string::npos) << r1.err;
    EXPECT_NE(r2.err.find("as fleet-2-2"), std::string::npos) << r2.err;
    sub.collect(5s, [](const std::vector<Received>& got) {
        int stopped = 0;
        for (const auto& m : got)
            stopped += m.topic.starts_with("regpoll/status/") && m.payload == "offline";
        return stopped == 2;
    });
    EXPECT_EQ(sub.payloads("regpoll/status/1-2"), (std::vector<std::string>{"online", "offline"}));
    EXPECT_EQ(sub.payloads("regpoll/status/2-2"), (std::vector<std::string>{"online", "offline"}));
    EXPECT_TRUE(sub.payloads("regpoll/status").empty());
    for (const char* name : {"meter", "meter2", "meter3", "meter4"}) {
        EXPECT_EQ(sub.payloads(std::string("regpoll/") + name + "/voltage"),
                  std::vector<std::string>{"230.5"})
            << name;
    }
    const auto ha = sub.payloads("homeassistant/sensor/regpoll_meter3/voltage/config");
    ASSERT_EQ(ha.size(), 1U);
    EXPECT_EQ(nlohmann::json::parse(ha[0])["availability"][0]["topic"], "regpoll/status/2-2");
    // With the broker there nothing had to wait: no outbox was made. With it away, each shard's
    // messages wait in that shard's own outbox.
    EXPECT_FALSE(fs::exists(dir_ / "site.outbox-1-2.db"));
    EXPECT_FALSE(fs::exists(dir_ / "site.outbox-2-2.db"));
    broker_->stop();
    auto away1 = std::async(std::launch::async, run, "1/2");
    auto away2 = std::async(std::launch::async, run, "2/2");
    for (auto* r : {&away1, &away2}) {
        const auto away = r->get();
        EXPECT_EQ(away.exit_code, 0) << away.err;
        EXPECT_NE(away.err.find("wait in"), std::string::npos) << away.err;
    }
    EXPECT_TRUE(fs::exists(dir_ / "site.outbox-1-2.db"));
    EXPECT_TRUE(fs::exists(dir_ / "site.outbox-2-2.db"));
    EXPECT_FALSE(fs::exists(dir_ / "site.outbox.db"));
}

}  // namespace
}  // namespace regpoll::testing
