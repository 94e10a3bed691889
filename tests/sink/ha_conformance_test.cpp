// What Home Assistant's MQTT integration makes of regpoll's discovery configs and states, end
// to end with a real mosquitto (defects D4, D5, D7–D10 of the conformance report). Templates
// are rendered by jinja2, the engine Home Assistant renders them with.
#include <gtest/gtest.h>

#include <csignal>

#include "conformance_site.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* switch_topic = "homeassistant/switch/regpoll_plc/relay/config";

// Waits until every point's discovery config is out (they go in one batch at connect).
void wait_for_configs(Subscriber& sub, std::size_t n) {
    sub.collect(10s, [&](const std::vector<Received>& got) {
        std::size_t configs = 0;
        for (const auto& r : got)
            configs +=
                r.topic.starts_with("homeassistant/") && r.topic.ends_with("/config") ? 1 : 0;
        return configs >= n;
    });
}

// D4: Home Assistant ignores object_id from 2026.4 (mqtt/entity.py:1455); default_entity_id
// replaces it. Also: a node id of its own for a second installation, entity categories, and
// an energy point without a device class that still fits the Energy dashboard.
TEST_F(ConformanceTest, D4_DefaultEntityIdNodeIdAndEntityCategory) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site(
        "", "",
        R"(, { "name": "yield", "address": 10, "type": "uint32", "scale": 0.001, "unit": "kWh" })"));
    wait_for_configs(sub, 8);
    const auto relay = config_on(sub, switch_topic);
    ASSERT_FALSE(relay.is_null());
    EXPECT_FALSE(relay.contains("object_id")) << relay;
    EXPECT_EQ(relay["default_entity_id"], "switch.regpoll_plc_relay");
    EXPECT_EQ(relay["unique_id"], "regpoll_plc_relay");
    EXPECT_EQ(relay["entity_category"], "config");
    EXPECT_EQ(config_on(sub, "homeassistant/sensor/regpoll_plc/firmware/config")["entity_category"],
              "diagnostic");
    EXPECT_FALSE(config_on(sub, "homeassistant/sensor/regpoll_plc/voltage/config")
                     .contains("entity_category"));
    const auto yield = config_on(sub, "homeassistant/sensor/regpoll_plc/yield/config");
    EXPECT_EQ(yield["device_class"], "energy");
    EXPECT_EQ(yield["state_class"], "total_increasing");
    EXPECT_EQ(yield["unit_of_measurement"], "kWh");
    regpoll_.reset();

    // A second installation with the same base topic: its own node id, no collision.
    auto cfg = site();
    std::ifstream in(cfg);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find(R"("homeassistant": true)"), 21,
                 R"("homeassistant": { "node_id": "site2" })");
    std::ofstream(cfg) << text;
    const auto from = sub.got.size();
    start_regpoll(cfg);
    ASSERT_TRUE(wait_for(sub, "homeassistant/switch/site2_plc/relay/config", from));
    const auto second = config_on(sub, "homeassistant/switch/site2_plc/relay/config");
    EXPECT_EQ(second["unique_id"], "site2_plc_relay");
    EXPECT_EQ(second["default_entity_id"], "switch.site2_plc_relay");
    EXPECT_EQ(second["device"]["identifiers"], json::array({"site2_plc"}));
}

// D5: a stop says every device offline, and each entity also follows regpoll's own status
// (its last will), so a kill -9 shows as unavailable too.
TEST_F(ConformanceTest, D5_StopAndKillMakeEveryEntityUnavailable) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site());
    ASSERT_TRUE(wait_for(sub, "regpoll/plc/availability"));
    wait_for_configs(sub, 7);
    const auto relay = config_on(sub, switch_topic);
    EXPECT_FALSE(relay.contains("availability_topic"));
    EXPECT_EQ(relay["availability"],
              json::parse(R"([{"topic":"regpoll/status"},{"topic":"regpoll/plc/availability"}])"));
    EXPECT_EQ(relay["availability_mode"], "all");

    auto from = sub.got.size();
    EXPECT_EQ(regpoll_->stop(10s), 0);  // SIGTERM
    // The devices go offline before regpoll's own status does.
    sub.collect(5s, [&](const std::vector<Received>&) {
        return !payloads_after(sub, from, "regpoll/status").empty();
    });
    EXPECT_EQ(payloads_after(sub, from, "regpoll/plc/availability"),
              std::vector<std::string>{"offline"});
    EXPECT_EQ(payloads_after(sub, from, "regpoll/status"), std::vector<std::string>{"offline"});

    // kill -9: the broker sends the last will on regpoll/status, which every entity names.
    from = sub.got.size();
    start_regpoll(site());
    const auto status_is = [&](const char* payload) {
        return [&, payload](const std::vector<Received>&) {
            const auto p = payloads_after(sub, from, "regpoll/status");
            return std::find(p.begin(), p.end(), payload) != p.end();
        };
    };
    sub.collect(10s, status_is("online"));
    ASSERT_EQ(payloads_after(sub, from, "regpoll/status"), std::vector<std::string>{"online"});
    from = sub.got.size();
    regpoll_->send_signal(SIGKILL);
    sub.collect(10s, status_is("offline"));
    EXPECT_EQ(payloads_after(sub, from, "regpoll/status"), std::vector<std::string>{"offline"});
}

// Renders a template the way Home Assistant's MQTT integration does: value_json is the parsed
// payload. "None" is what HA turns into unknown.
std::string render(const std::filesystem::path& dir, const std::string& tmpl,
                   const std::string& payload) {
    const auto script = (dir / "render.py").string();
    std::ofstream(script)
        << "import sys, json, jinja2\n"
           "t = jinja2.Environment().from_string(sys.argv[1])\n"
           "sys.stdout.write(t.render(value_json=json.loads(sys.argv[2]), value=sys.argv[2]))\n";
    auto r = run_command({"/usr/bin/python3", script, tmpl, payload}, 10s);
    EXPECT_EQ(r.exit_code, 0) << tmpl << "\n" << r.err;
    return r.out;
}

// D7, D8: a point not read yet, or not available, is unknown ("None"), never OFF or a template
// warning; any point name works, even a dict method's or one starting with a digit.
TEST_F(ConformanceTest, D7_D8_TemplatesGiveUnknownForMissingAndNotAvailable) {
    if (run_command({"/usr/bin/python3", "-c", "import jinja2"}, 10s).exit_code != 0)
        GTEST_SKIP() << "no python3-jinja2";
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site("", "",
                       R"(, { "name": "values", "address": 70, "type": "uint16" },
                            { "name": "2nd_voltage", "address": 70, "type": "uint16", "scale": 0.1 })"));
    wait_for_configs(sub, 9);
    ASSERT_TRUE(wait_for(sub, "regpoll/plc/state"));
    const auto tmpl = [&](const std::string& topic) {
        return config_on(sub, topic)["value_template"].get<std::string>();
    };
    const auto relay = tmpl(switch_topic);
    const auto alarm = tmpl("homeassistant/binary_sensor/regpoll_plc/alarm/config");
    const auto volts = tmpl("homeassistant/sensor/regpoll_plc/voltage/config");
    const auto values = tmpl("homeassistant/sensor/regpoll_plc/values/config");
    const auto second = tmpl("homeassistant/sensor/regpoll_plc/2nd_voltage/config");
    const auto mode = tmpl("homeassistant/select/regpoll_plc/mode/config");
    for (const auto& t : {relay, alarm, volts, values, second, mode})
        EXPECT_EQ(render(dir_, t, R"({"ts":1})"), "None") << t;
    EXPECT_EQ(render(dir_, relay, R"({"ts":1,"relay":null})"), "None");
    EXPECT_EQ(render(dir_, alarm, R"({"ts":1,"alarm":null})"), "None");
    EXPECT_EQ(render(dir_, alarm, R"({"ts":1,"alarm":false})"), "OFF");
    EXPECT_EQ(render(dir_, relay, R"({"ts":1,"relay":true})"), "ON");
    EXPECT_EQ(render(dir_, volts, R"({"ts":1,"voltage":null})"), "None");
    // The state regpoll really sent.
    const auto state = sub.payloads("regpoll/plc/state").back();
    EXPECT_EQ(render(dir_, volts, state), "230.5");
    EXPECT_EQ(render(dir_, values, state), "2305");
    EXPECT_EQ(render(dir_, second, state), "230.5");
    EXPECT_EQ(render(dir_, mode, state), "Battery First");
}

// D9: a unit Home Assistant refuses for the device class is refused before anything starts,
// naming the device, the point and the rule.
TEST_F(ConformanceTest, D9_ValidateAndRunRefuseWhatHomeAssistantRejects) {
    const auto cfg =
        site("", "", R"(, { "name": "bad_temp", "address": 70, "type": "uint16", "unit": "°C",
                                        "device_class": "power", "state_class": "measurement" })");
    auto r = run_command({binary(), "validate", "-c", cfg}, 20s);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.err.find("/devices/0/points/7"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("device plc, point bad_temp: Home Assistant refuses unit \"°C\" with "
                         "device class power"),
              std::string::npos)
        << r.err;
    Subscriber sub(broker_->uri(), "test-" + name_);
    r = run_command({binary(), "run", "-c", cfg, "--once", "--output", "none"}, 20s);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    sub.collect(500ms);
    EXPECT_TRUE(sub.got.empty());  // nothing was announced
}

// D10: pattern-link style point (map {"8":"off"}, writable 0-8): a number HA can set to any of
// 0-8, with the texts as an attribute, not a select offering "off" only.
TEST_F(ConformanceTest, D10_PartialMapIsANumberThatTakesEveryWritableValue) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site());
    wait_for_configs(sub, 7);
    EXPECT_TRUE(config_on(sub, "homeassistant/select/regpoll_plc/link/config").is_null());
    const auto link = config_on(sub, "homeassistant/number/regpoll_plc/link/config");
    ASSERT_FALSE(link.is_null());
    EXPECT_EQ(link["min"], 0.0);
    EXPECT_EQ(link["max"], 8.0);
    EXPECT_EQ(link["json_attributes_topic"], "regpoll/plc/state");
    EXPECT_NE(link["json_attributes_template"].get<std::string>().find(R"("8":"off")"),
              std::string::npos)
        << link;
    if (run_command({"/usr/bin/python3", "-c", "import jinja2"}, 10s).exit_code == 0) {
        EXPECT_EQ(render(dir_, link["value_template"], R"({"ts":1,"link":"off"})"), "8");
        EXPECT_EQ(render(dir_, link["value_template"], R"({"ts":1,"link":3})"), "3");
    }
    for (const auto& [payload, reg] :
         std::vector<std::pair<std::string, int>>{{"5", 5}, {"8", 8}}) {
        const auto from = sub.got.size();
        sub.publish("regpoll/plc/link/set", payload);
        ASSERT_TRUE(wait_for(sub, "regpoll/plc/link/result", from));
        EXPECT_EQ(json::parse(payloads_after(sub, from, "regpoll/plc/link/result").front())["ok"],
                  true)
            << payload;
        EXPECT_EQ(read_device("4", 41)[40], reg);
    }
}

}  // namespace
}  // namespace regpoll::testing
