// Every payload byte for byte: plain topics, state, availability, Domoticz svalues and
// Home Assistant discovery configs.
#include "sink/mqtt_messages.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codec/types.hpp"

namespace regpoll::sink {
namespace {

using codec::Value;

profile::Point point(const char* name, const char* unit, const char* device_class = "",
                     const char* state_class = "") {
    profile::Point p;
    p.name = name;
    p.unit = unit;
    p.device_class = device_class;
    p.state_class = state_class;
    p.format.type = codec::Type::float32;
    return p;
}

std::shared_ptr<const profile::SiteConfig> site() {
    auto s = std::make_shared<profile::SiteConfig>();
    profile::DeviceConfig d;
    d.name = "inverter";
    d.manufacturer = "Growatt";
    d.model = "MIN 3000TL-X";
    d.points = {point("ac_power", "W", "power", "measurement"), point("energy_total", "kWh", "energy", "total"),
                point("l1_voltage", "V", "voltage", "measurement")};
    d.points[1].precision = 1;
    profile::Point status = point("status", "");
    status.format.type = codec::Type::uint16;
    status.map = {{0, "waiting"}, {1, "normal"}, {3, "fault"}};
    d.points.push_back(status);
    profile::Point relay = point("relay", "");
    relay.kind = modbus::RegisterKind::coil;
    relay.format.type = codec::Type::boolean;
    d.points.push_back(relay);
    s->devices.push_back(d);
    return s;
}

std::vector<poll::Sample> samples(const profile::DeviceConfig& d, std::vector<std::pair<std::size_t, Value>> values,
                                  std::int64_t ts = 1763632800123) {
    std::vector<poll::Sample> out;
    for (auto& [i, v] : values) {
        poll::Sample s;
        s.ts_ms = ts;
        s.device = &d.name;
        s.point = &d.points[i].name;
        s.unit = &d.points[i].unit;
        s.value = v;
        out.push_back(s);
    }
    return out;
}

TEST(MqttMessages, PlainTopicsStateAndAvailability) {
    auto s = site();
    MqttConfig c;
    MessageBuilder b(c, s, "0.1.0");
    std::vector<Message> out;
    b.samples(samples(s->devices[0], {{0, Value(1234.5)}, {2, Value(230.0)}}), out);
    ASSERT_EQ(out.size(), 3U);
    EXPECT_EQ(out[0].topic, "regpoll/inverter/ac_power");
    EXPECT_EQ(out[0].payload, "1234.5");
    EXPECT_EQ(out[0].qos, 1);
    EXPECT_FALSE(out[0].retain);
    EXPECT_EQ(out[1].payload, "230");
    EXPECT_EQ(out[2].topic, "regpoll/inverter/state");
    EXPECT_EQ(out[2].payload, R"({"ts":1763632800123,"ac_power":1234.5,"l1_voltage":230.0})");
    // the next cycle's state carries every point's latest value
    out.clear();
    b.samples(samples(s->devices[0], {{1, Value(5600.5)}, {3, Value(std::string("normal"))}, {4, Value(true)}},
                      1763632860000), out);
    EXPECT_EQ(out.back().payload,
              R"({"ts":1763632860000,"ac_power":1234.5,"energy_total":5600.5,"l1_voltage":230.0,"status":"normal","relay":true})");
    EXPECT_EQ(out[2].payload, "true");
    auto a = b.availability("inverter", false);
    EXPECT_EQ(a.topic, "regpoll/inverter/availability");
    EXPECT_EQ(a.payload, "offline");
    EXPECT_TRUE(a.retain);
    EXPECT_EQ(b.status(true).topic, "regpoll/status");
}

TEST(MqttMessages, NotAvailableIsNull) {
    EXPECT_EQ(plain_text(Value(std::monostate{})), "null");
    EXPECT_EQ(plain_text(Value(std::int64_t{-3})), "-3");
    EXPECT_EQ(plain_text(Value(std::string("AB12"))), "AB12");
}

TEST(MqttMessages, DomoticzSvalueForEveryType) {
    auto upd = [](DomoticzType t, std::vector<Value> v, std::vector<std::string> u) {
        auto r = domoticz_update(t, v, u);
        return r ? std::to_string(r->nvalue) + "|" + r->svalue : std::string("none");
    };
    EXPECT_EQ(upd(DomoticzType::custom, {Value(12.5)}, {"bar"}), "0|12.5");
    EXPECT_EQ(upd(DomoticzType::temperature, {Value(21.25)}, {"°C"}), "0|21.25");
    EXPECT_EQ(upd(DomoticzType::voltage, {Value(230.0)}, {"V"}), "0|230");
    EXPECT_EQ(upd(DomoticzType::current, {Value(5.5)}, {"A"}), "0|5.5");
    EXPECT_EQ(upd(DomoticzType::current3, {Value(1.0), Value(2.5), Value(3.25)}, {"A", "A", "A"}), "0|1;2.5;3.25");
    EXPECT_EQ(upd(DomoticzType::percentage, {Value(std::int64_t{87})}, {"%"}), "0|87");
    // kWh: POWER in W; ENERGY in Wh, converted from the point's unit
    EXPECT_EQ(upd(DomoticzType::kwh, {Value(1234.5), Value(5600.5)}, {"W", "kWh"}), "0|1234.5;5600500");
    EXPECT_EQ(upd(DomoticzType::kwh, {Value(1.5), Value(2.0)}, {"kW", "MWh"}), "0|1500;2000000");
    // P1: six non-negative integers, Wh counters then W
    EXPECT_EQ(upd(DomoticzType::p1, {Value(1234.5), Value(100.0), Value(10.0), Value(0.0), Value(456.7), Value(-3.0)},
                  {"kWh", "kWh", "kWh", "kWh", "W", "W"}),
              "0|1234500;100000;10000;0;457;0");
    EXPECT_EQ(upd(DomoticzType::counter, {Value(std::int64_t{123456})}, {""}), "0|123456");
    EXPECT_EQ(upd(DomoticzType::text, {Value(std::string("normal"))}, {""}), "0|normal");
    EXPECT_EQ(upd(DomoticzType::alert, {Value(std::int64_t{3})}, {""}), "3|3");
    EXPECT_EQ(upd(DomoticzType::alert, {Value(std::int64_t{9})}, {""}), "4|9");
    EXPECT_EQ(upd(DomoticzType::switch_, {Value(true)}, {""}), "1|");
    EXPECT_EQ(upd(DomoticzType::switch_, {Value(false)}, {""}), "0|");
    EXPECT_EQ(upd(DomoticzType::voltage, {Value(std::monostate{})}, {"V"}), "none");  // n/a: nothing sent
}

TEST(MqttMessages, DomoticzMessagesOnlyWhenAMappedPointWasRead) {
    auto s = site();
    MqttConfig c;
    c.plain_topics = false;
    c.state_topic = false;
    c.domoticz = {{"inverter", 12, DomoticzType::kwh, {"ac_power", "energy_total"}, ""},
                  {"inverter", 13, DomoticzType::voltage, {"l1_voltage"}, ""}};
    MessageBuilder b(c, s, "0.1.0");
    std::vector<Message> out;
    b.samples(samples(s->devices[0], {{0, Value(1234.5)}}), out);
    EXPECT_TRUE(out.empty());  // energy never read yet: kWh cannot be sent
    b.samples(samples(s->devices[0], {{1, Value(5600.5)}, {2, Value(231.0)}}), out);
    ASSERT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0].topic, "domoticz/in");
    EXPECT_EQ(out[0].payload, R"({"idx":12,"nvalue":0,"svalue":"1234.5;5600500"})");
    EXPECT_EQ(out[1].payload, R"({"idx":13,"nvalue":0,"svalue":"231"})");
}

TEST(MqttMessages, HomeAssistantDiscovery) {
    auto s = site();
    MqttConfig c;
    c.homeassistant = true;
    MessageBuilder b(c, s, "0.1.0");
    auto configs = b.discovery();
    ASSERT_EQ(configs.size(), 5U);
    EXPECT_EQ(configs[1].topic, "homeassistant/sensor/regpoll_inverter/energy_total/config");
    EXPECT_TRUE(configs[1].retain);
    EXPECT_EQ(configs[1].payload,
              R"({"name":"Energy total","unique_id":"regpoll_inverter_energy_total","object_id":"regpoll_inverter_energy_total",)"
              R"("state_topic":"regpoll/inverter/state","value_template":"{{ value_json.energy_total }}",)"
              R"("unit_of_measurement":"kWh","device_class":"energy","state_class":"total","suggested_display_precision":1,)"
              R"("availability_topic":"regpoll/inverter/availability",)"
              R"("device":{"identifiers":["regpoll_inverter"],"name":"inverter","manufacturer":"Growatt","model":"MIN 3000TL-X"},)"
              R"("origin":{"name":"regpoll","sw_version":"0.1.0"}})");
    auto status = nlohmann::json::parse(configs[3].payload);
    EXPECT_EQ(status["device_class"], "enum");
    EXPECT_EQ(status["options"], nlohmann::json::parse(R"(["waiting","normal","fault"])"));
    EXPECT_FALSE(status.contains("state_class"));
    EXPECT_EQ(configs[4].topic, "homeassistant/binary_sensor/regpoll_inverter/relay/config");
    EXPECT_EQ(nlohmann::json::parse(configs[4].payload)["value_template"], "{{ 'ON' if value_json.relay else 'OFF' }}");
    c.homeassistant = false;
    EXPECT_TRUE(MessageBuilder(c, s, "0.1.0").discovery().empty());
}

}  // namespace
}  // namespace regpoll::sink
