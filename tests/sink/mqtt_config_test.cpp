#include "sink/mqtt_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace regpoll::sink {
namespace {

namespace fs = std::filesystem;

struct Loaded {
    std::optional<MqttConfig> mqtt;
    std::vector<std::string> errors;
};

Loaded load(const std::string& text) {
    const auto dir = fs::temp_directory_path() / ("regpoll-mqtt-config-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto path = (dir / "site.json").string();
    std::ofstream(path) << text;
    profile::ProfileLibrary library;
    auto result = profile::load_site_config(path, library);
    Loaded out;
    if (result.config) out.mqtt = parse_mqtt_config(*result.config, result.diagnostics);
    out.errors = result.diagnostics.errors();
    return out;
}

const char* devices = R"("buses": [ { "name": "b", "uri": "tcp://127.0.0.1:5020" } ],
  "devices": [ { "name": "meter", "bus": "b", "profile": "eastron/sdm120",
                 "domoticz": [ { "idx": 12, "type": "kwh", "power": "power", "energy": "import_energy" },
                               { "idx": 13, "type": "voltage", "point": "voltage" } ] } ])";

TEST(MqttConfig, FullSection) {
    ::setenv("REGPOLL_TEST_MQTT_PASSWORD", "s3cret", 1);
    auto l = load(std::string("{") + devices + R"(, "mqtt": { "broker": "tcp://localhost:1883", "client_id": "roof",
        "username": "poller", "password_env": "REGPOLL_TEST_MQTT_PASSWORD", "base_topic": "solar", "retain": true,
        "homeassistant": { "discovery_prefix": "ha" }, "keepalive": "20s", "batch_delay": "25ms",
        "outbox": { "max_messages": 5000 } } })");
    ASSERT_TRUE(l.mqtt) << (l.errors.empty() ? "" : l.errors[0]);
    EXPECT_EQ(l.mqtt->password, "s3cret");
    EXPECT_EQ(l.mqtt->base_topic, "solar");
    EXPECT_TRUE(l.mqtt->retain_plain);
    EXPECT_TRUE(l.mqtt->homeassistant);
    EXPECT_EQ(l.mqtt->discovery_prefix, "ha");
    EXPECT_EQ(l.mqtt->keepalive, std::chrono::seconds(20));
    EXPECT_EQ(l.mqtt->batch_delay, std::chrono::milliseconds(25));
    EXPECT_EQ(l.mqtt->outbox_max_messages, 5000U);
    ASSERT_EQ(l.mqtt->domoticz.size(), 2U);
    EXPECT_EQ(l.mqtt->domoticz[0].points, (std::vector<std::string>{"power", "import_energy"}));
}

TEST(MqttConfig, OutboxNextToTheConfigurationOrInTheStateDirectory) {
    const auto dir = fs::temp_directory_path() / ("regpoll-mqtt-config-" + std::to_string(::getpid()));
    const std::string site = std::string("{") + devices + R"(, "mqtt": { "broker": "tcp://localhost:1883" } })";
    auto l = load(site);
    ASSERT_TRUE(l.mqtt);
    EXPECT_EQ(l.mqtt->outbox_path, (dir / "site.outbox.db").string());
    EXPECT_EQ(l.mqtt->batch_delay, std::chrono::milliseconds(10));  // the default
    l = load(std::string("{") + devices + R"(, "mqtt": { "broker": "tcp://localhost:1883", "outbox": { "path": "q/o.db" } } })");
    ASSERT_TRUE(l.mqtt);
    EXPECT_EQ(l.mqtt->outbox_path, (dir / "q/o.db").string());
    ::setenv("STATE_DIRECTORY", "/var/lib/regpoll", 1);
    l = load(site);
    ::unsetenv("STATE_DIRECTORY");
    ASSERT_TRUE(l.mqtt);
    EXPECT_EQ(l.mqtt->outbox_path, "/var/lib/regpoll/site.outbox.db");
}

TEST(MqttConfig, MistakesNameTheirPlace) {
    auto l = load(std::string("{") + R"("buses": [ { "name": "b", "uri": "tcp://127.0.0.1:5020" } ],
      "devices": [ { "name": "meter", "bus": "b", "profile": "eastron/sdm120",
                     "domoticz": [ { "idx": 12, "type": "kwh", "power": "power" },
                                   { "idx": 13, "type": "volts", "point": "voltage" },
                                   { "idx": 14, "type": "voltage", "point": "volt" } ] } ],
      "mqtt": { "broker": "localhost:1883", "password": "hunter2", "qos": 3, "colour": 1,
                "batch_delay": "2s" } })");
    EXPECT_FALSE(l.mqtt);
    std::string all;
    for (const auto& e : l.errors) all += e + "\n";
    for (const char* expected : {
             "/mqtt/broker: \"localhost:1883\" is not a broker URI",
             "/mqtt/password: put the password in a file",
             "/mqtt/qos: 3 is out of range",
             "/mqtt/batch_delay: at most 1s",
             "/mqtt/colour: unknown key",
             "/devices/0/domoticz/0: type kwh needs \"energy\"",
             "/devices/0/domoticz/1/type: \"volts\" is not a Domoticz type",
             "/devices/0/domoticz/2/point: no point \"volt\" in device meter"}) {
        EXPECT_NE(all.find(expected), std::string::npos) << "missing: " << expected << "\ngot:\n" << all;
    }
    EXPECT_EQ(all.find("hunter2"), std::string::npos);  // a secret is never printed
}

}  // namespace
}  // namespace regpoll::sink
