// Every payload byte for byte: plain topics, state, availability, Domoticz svalues and
// Home Assistant discovery configs.
#include "sink/mqtt_messages.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "codec/types.hpp"
#include "poll/value_json.hpp"
#include "sink/message_json.hpp"

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
    d.points = {point("ac_power", "W", "power", "measurement"),
                point("energy_total", "kWh", "energy", "total"),
                point("l1_voltage", "V", "voltage", "measurement")};
    d.points.edit()[1].precision = 1;
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

std::vector<poll::Sample> samples(const profile::DeviceConfig& d,
                                  std::vector<std::pair<std::size_t, Value>> values,
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
    b.samples(samples(s->devices[0],
                      {{1, Value(5600.5)}, {3, Value(std::string("normal"))}, {4, Value(true)}},
                      1763632860000),
              out);
    EXPECT_EQ(
        out.back().payload,
        R"({"ts":1763632860000,"ac_power":1234.5,"energy_total":5600.5,"l1_voltage":230.0,"status":"normal","relay":true})");
    EXPECT_EQ(out[2].payload, "true");
    auto a = b.availability("inverter", false);
    EXPECT_EQ(a.topic, "regpoll/inverter/availability");
    EXPECT_EQ(a.payload, "offline");
    EXPECT_TRUE(a.retain);
    EXPECT_EQ(b.status(true).topic, "regpoll/status");
}

// Buffered samples (a Shine 0x50 record sent after an outage) carry their own, older time:
// they get their own object on <base>/<device>/buffered and leave the current state, plain
// topics and Domoticz alone.
TEST(MqttMessages, BufferedSamplesNeverBecomeTheCurrentState) {
    auto s = site();
    MqttConfig c;
    DomoticzMapping m;
    m.device = "inverter";
    m.idx = 12;
    m.points = {"ac_power"};
    c.domoticz.push_back(m);
    MessageBuilder b(c, s, "0.1.0");
    std::vector<Message> out;
    b.samples(samples(s->devices[0], {{0, Value(1234.5)}}, 1763632800000), out);
    out.clear();
    auto old = samples(s->devices[0], {{0, Value(99.5)}, {2, Value(231.0)}}, 1763629200000);
    for (auto& sample : old) sample.buffered = true;
    b.samples(old, out);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].topic, "regpoll/inverter/buffered");
    EXPECT_EQ(out[0].payload,
              R"({"ts":1763629200000,"buffered":true,"ac_power":99.5,"l1_voltage":231.0})");
    EXPECT_FALSE(out[0].retain);
    // The next live cycle's state still holds the live value, and none of the buffered ones.
    out.clear();
    b.samples(samples(s->devices[0], {{1, Value(5600.5)}}, 1763632860000), out);
    EXPECT_EQ(out.back().topic, "regpoll/inverter/state");
    EXPECT_EQ(out.back().payload,
              R"({"ts":1763632860000,"ac_power":1234.5,"energy_total":5600.5})");
}

// The state object is written straight into a string: it must read exactly as a tree of the
// same values dumped by nlohmann (numbers, escapes, invalid UTF-8, nan/inf as null), and a
// point named "ts" takes the time's place as it would in the tree.
TEST(MqttMessages, StateTextIsWhatATreeDumpWouldBe) {
    auto s = std::make_shared<profile::SiteConfig>();
    profile::DeviceConfig d;
    d.name = "dev \"quoted\"";
    const std::vector<std::string> names = {"a", "b\\c", "ünï", "tab\there", "d", "e", "f", "g", "h", "i", "j", "k"};
    for (const auto& n : names) d.points.push_back(point(n.c_str(), ""));
    s->devices.push_back(d);
    MqttConfig c;
    c.plain_topics = false;
    MessageBuilder b(c, s, "0.1.0");
    const std::vector<Value> values = {Value(0.1),
                                       Value(1e20),
                                       Value(-0.0),
                                       Value(std::numeric_limits<double>::quiet_NaN()),
                                       Value(-std::numeric_limits<double>::infinity()),
                                       Value(std::int64_t{-9223372036854775807 - 1}),
                                       Value(std::uint64_t{18446744073709551615ULL}),
                                       Value(std::string("say \"hi\"\n\x01")),
                                       Value(std::string("bad \xff\xfe utf8")),
                                       Value(false),
                                       Value(std::monostate{}),
                                       Value(20.0)};
    std::vector<std::pair<std::size_t, Value>> all;
    OJson tree;
    tree["ts"] = 1763632800123;
    for (std::size_t i = 0; i < values.size(); ++i) {
        all.emplace_back(i, values[i]);
        tree[names[i]] = poll::value_to_json(values[i]);
    }
    std::vector<Message> out;
    b.samples(samples(s->devices[0], all), out);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].topic, "regpoll/dev \"quoted\"/state");
    EXPECT_EQ(out[0].payload, dump(tree));
    EXPECT_EQ(out[0].payload.substr(0, 40), R"({"ts":1763632800123,"a":0.1,"b\\c":1e+20)");

    // Out of order, and a point named "ts": the tree's key stays first with the point's value.
    auto s2 = std::make_shared<profile::SiteConfig>();
    profile::DeviceConfig d2;
    d2.name = "meter";
    d2.points = {point("x", ""), point("ts", ""), point("y", "")};
    s2->devices.push_back(d2);
    MessageBuilder b2(c, s2, "0.1.0");
    out.clear();
    b2.samples(samples(s2->devices[0], {{2, Value(3.5)}, {1, Value(std::int64_t{7})}, {0, Value(1.25)}}), out);
    OJson t2;
    t2["ts"] = 1763632800123;
    t2["x"] = 1.25;
    t2["ts"] = 7;
    t2["y"] = 3.5;
    EXPECT_EQ(out[0].payload, dump(t2));
    EXPECT_EQ(out[0].payload, R"({"ts":7,"x":1.25,"y":3.5})");
}

// The builder keeps each point's last value compactly between polls (texts beside the
// numbers): a poll that reads some points leaves the others as they were, a text point that
// becomes unavailable and then readable again shows its new text, and a value of another
// type than last time is shown as what it is now.
TEST(MqttMessages, StateKeepsEachPointsLastValueAcrossPolls) {
    auto s = std::make_shared<profile::SiteConfig>();
    profile::DeviceConfig d;
    d.name = "plc";
    d.points = {point("status", ""), point("power", ""), point("serial", ""), point("on", "")};
    s->devices.push_back(d);
    MqttConfig c;
    c.plain_topics = false;
    MessageBuilder b(c, s, "0.1.0");
    auto state_after = [&](std::vector<std::pair<std::size_t, Value>> read) {
        std::vector<Message> out;
        b.samples(samples(s->devices[0], std::move(read)), out);
        EXPECT_EQ(out.size(), 1U);
        return out.empty() ? std::string() : out.back().payload;
    };
    EXPECT_EQ(state_after({{0, Value(std::string("normal"))}, {1, Value(std::int64_t{-5})}}),
              R"({"ts":1763632800123,"status":"normal","power":-5})");
    EXPECT_EQ(state_after({{2, Value(std::string("AB12"))}, {3, Value(true)}}),
              R"({"ts":1763632800123,"status":"normal","power":-5,"serial":"AB12","on":true})");
    EXPECT_EQ(state_after({{0, Value(std::monostate{})}, {1, Value(2.5)}}),
              R"({"ts":1763632800123,"status":null,"power":2.5,"serial":"AB12","on":true})");
    EXPECT_EQ(state_after({{0, Value(std::string("fault \"7\""))}, {3, Value(false)}}),
              R"({"ts":1763632800123,"status":"fault \"7\"","power":2.5,"serial":"AB12","on":false})");
    EXPECT_EQ(state_after({{0, Value(std::uint64_t{18446744073709551615ULL})},
                           {2, Value(std::string("CD345"))}}),
              R"({"ts":1763632800123,"status":18446744073709551615,"power":2.5,"serial":"CD345","on":false})");
    EXPECT_EQ(state_after({{0, Value(std::string("normal again"))}}),
              R"({"ts":1763632800123,"status":"normal again","power":2.5,"serial":"CD345","on":false})");
}

// Devices that share a profile's points share the keys of their state text; a device whose
// points differ (one added in the site file, here named "ts", which takes the time's place)
// has its own, and each device's values stay its own.
TEST(MqttMessages, DevicesSharingPointsShareKeysButNotValues) {
    auto s = std::make_shared<profile::SiteConfig>();
    profile::DeviceConfig a;
    a.name = "meter1";
    a.points = {point("voltage", ""), point("power", "")};
    profile::DeviceConfig b = a;  // the same points (shared)
    b.name = "meter2";
    profile::DeviceConfig c;
    c.name = "meter3";
    c.points = {point("voltage", ""), point("ts", "")};
    for (auto* d : {&a, &b, &c}) s->devices.push_back(*d);
    ASSERT_TRUE(s->devices[0].points.shares_with(s->devices[1].points));
    MqttConfig config;
    config.plain_topics = false;
    MessageBuilder builder(config, s, "0.1.0");
    auto state = [&](std::size_t d, std::vector<std::pair<std::size_t, Value>> read) {
        std::vector<Message> out;
        builder.samples(samples(s->devices[d], std::move(read)), out);
        EXPECT_EQ(out.size(), 1U);
        return out.empty() ? std::string() : out.back().topic + " " + out.back().payload;
    };
    EXPECT_EQ(state(0, {{0, Value(230.5)}, {1, Value(std::int64_t{1200})}}),
              R"(regpoll/meter1/state {"ts":1763632800123,"voltage":230.5,"power":1200})");
    EXPECT_EQ(state(1, {{1, Value(std::int64_t{-7})}}), R"(regpoll/meter2/state {"ts":1763632800123,"power":-7})");
    EXPECT_EQ(state(2, {{0, Value(231.0)}, {1, Value(std::int64_t{42})}}),
              R"(regpoll/meter3/state {"ts":42,"voltage":231.0})");
    EXPECT_EQ(state(0, {{1, Value(std::int64_t{1300})}}),
              R"(regpoll/meter1/state {"ts":1763632800123,"voltage":230.5,"power":1300})");
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
    EXPECT_EQ(upd(DomoticzType::current3, {Value(1.0), Value(2.5), Value(3.25)}, {"A", "A", "A"}),
              "0|1;2.5;3.25");
    EXPECT_EQ(upd(DomoticzType::percentage, {Value(std::int64_t{87})}, {"%"}), "0|87");
    // kWh: POWER in W; ENERGY in Wh, converted from the point's unit
    EXPECT_EQ(upd(DomoticzType::kwh, {Value(1234.5), Value(5600.5)}, {"W", "kWh"}),
              "0|1234.5;5600500");
    EXPECT_EQ(upd(DomoticzType::kwh, {Value(1.5), Value(2.0)}, {"kW", "MWh"}), "0|1500;2000000");
    // P1: six non-negative integers, Wh counters then W
    EXPECT_EQ(upd(DomoticzType::p1,
                  {Value(1234.5), Value(100.0), Value(10.0), Value(0.0), Value(456.7), Value(-3.0)},
                  {"kWh", "kWh", "kWh", "kWh", "W", "W"}),
              "0|1234500;100000;10000;0;457;0");
    EXPECT_EQ(upd(DomoticzType::counter, {Value(std::int64_t{123456})}, {""}), "0|123456");
    EXPECT_EQ(upd(DomoticzType::counter, {Value(12345.602)}, {"kWh"}),
              "0|12345602");  // D2: integer Wh
    EXPECT_EQ(upd(DomoticzType::counter, {Value(17.6)}, {"m³"}), "0|18");
    EXPECT_EQ(upd(DomoticzType::text, {Value(std::string("normal"))}, {""}), "0|normal");
    EXPECT_EQ(upd(DomoticzType::alert, {Value(std::int64_t{3})}, {""}), "3|3");
    EXPECT_EQ(upd(DomoticzType::alert, {Value(std::int64_t{9})}, {""}), "4|9");
    EXPECT_EQ(upd(DomoticzType::switch_, {Value(true)}, {""}), "1|");
    EXPECT_EQ(upd(DomoticzType::switch_, {Value(false)}, {""}), "0|");
    EXPECT_EQ(upd(DomoticzType::voltage, {Value(std::monostate{})}, {"V"}),
              "none");  // n/a: nothing sent
}

TEST(MqttMessages, DomoticzMessagesOnlyWhenAMappedPointWasRead) {
    auto s = site();
    MqttConfig c;
    c.plain_topics = false;
    c.state_topic = false;
    c.domoticz = {{"inverter", 12, DomoticzType::kwh, {"ac_power", "energy_total"}, "", {}, {}},
                  {"inverter", 13, DomoticzType::voltage, {"l1_voltage"}, "", {}, {}}};
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

// D6: on change, and again once the mapping's heartbeat has passed (in the samples' time).
TEST(MqttMessages, DomoticzOnChangeAndHeartbeat) {
    auto s = site();
    MqttConfig c;
    c.plain_topics = false;
    c.state_topic = false;
    DomoticzMapping volts{"inverter", 13, DomoticzType::voltage, {"l1_voltage"}, "", {}, {}};
    volts.heartbeat = std::chrono::seconds(60);
    DomoticzMapping once = volts;
    once.idx = 14;
    once.heartbeat = std::chrono::seconds(0);  // changes only
    c.domoticz = {volts, once};
    MessageBuilder b(c, s, "0.1.0");
    auto sent = [&](double v, std::int64_t ts) {
        std::vector<Message> out;
        b.samples(samples(s->devices[0], {{2, Value(v)}}, ts), out);
        std::string idx;
        for (const auto& m : out) idx += nlohmann::json::parse(m.payload)["idx"].dump() + " ";
        return idx;
    };
    EXPECT_EQ(sent(230.0, 0), "13 14 ");
    EXPECT_EQ(sent(230.0, 10'000), "");
    EXPECT_EQ(sent(230.0, 59'999), "");
    EXPECT_EQ(sent(230.0, 60'000), "13 ");
    EXPECT_EQ(sent(231.0, 61'000), "13 14 ");
    EXPECT_EQ(sent(231.0, 200'000), "13 ");
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
    EXPECT_EQ(
        configs[1].payload,
        R"({"name":"Energy total","unique_id":"regpoll_inverter_energy_total",)"
        R"("default_entity_id":"sensor.regpoll_inverter_energy_total","state_topic":"regpoll/inverter/state",)"
        R"("value_template":"{{ 'None' if 'energy_total' not in value_json or value_json['energy_total'] is none )"
        R"(else value_json['energy_total'] }}",)"
        R"("unit_of_measurement":"kWh","device_class":"energy","state_class":"total","suggested_display_precision":1,)"
        R"("availability":[{"topic":"regpoll/status"},{"topic":"regpoll/inverter/availability"}],)"
        R"("availability_mode":"all",)"
        R"("device":{"identifiers":["regpoll_inverter"],"name":"inverter","manufacturer":"Growatt","model":"MIN 3000TL-X"},)"
        R"("origin":{"name":"regpoll","sw_version":"0.1.0"}})");
    auto status = nlohmann::json::parse(configs[3].payload);
    EXPECT_EQ(status["device_class"], "enum");
    EXPECT_EQ(status["options"], nlohmann::json::parse(R"(["waiting","normal","fault"])"));
    EXPECT_FALSE(status.contains("state_class"));
    EXPECT_EQ(configs[4].topic, "homeassistant/binary_sensor/regpoll_inverter/relay/config");
    EXPECT_EQ(nlohmann::json::parse(configs[4].payload)["value_template"],
              "{% if 'relay' not in value_json or value_json['relay'] is none %}None{% elif "
              "value_json['relay'] %}ON{% else %}OFF{% endif %}");
    c.homeassistant = false;
    EXPECT_TRUE(MessageBuilder(c, s, "0.1.0").discovery().empty());
}

// A site whose inverter allows writes to its relay (coil), its work mode (mapped) and its
// power limit (int16 scaled, 0-100 %).
std::shared_ptr<profile::SiteConfig> writable_site() {
    auto s = std::make_shared<profile::SiteConfig>(*site());
    auto& d = s->devices[0];
    for (auto& p : d.points.edit()) {
        if (p.name == "relay" || p.name == "status") p.writable = true;
    }
    profile::Point limit = point("power_limit", "%");
    limit.format.type = codec::Type::int16;
    limit.format.scale = 0.1;
    limit.writable = true;
    limit.min = 0;
    limit.max = 100;
    d.points.push_back(limit);
    profile::Point setpoint = point("setpoint", "°C", "temperature");
    setpoint.writable = true;
    setpoint.precision = 1;
    d.points.push_back(setpoint);
    d.writes = {"relay", "status", "power_limit"};  // setpoint: writable, but not allowed here
    return s;
}

TEST(MqttMessages, HomeAssistantSwitchNumberSelectForAllowedWritablePoints) {
    auto s = writable_site();
    MqttConfig c;
    c.homeassistant = true;
    MessageBuilder b(c, s, "0.1.0");
    std::map<std::string, nlohmann::json> by_topic;
    for (const auto& m : b.discovery()) by_topic[m.topic] = nlohmann::json::parse(m.payload);
    ASSERT_EQ(by_topic.size(), 7U);

    const auto& relay = by_topic.at("homeassistant/switch/regpoll_inverter/relay/config");
    EXPECT_EQ(relay["command_topic"], "regpoll/inverter/relay/set");
    EXPECT_EQ(relay["payload_on"], "ON");
    EXPECT_EQ(relay["payload_off"], "OFF");
    EXPECT_EQ(relay["state_topic"], "regpoll/inverter/state");
    EXPECT_EQ(relay["value_template"],
              "{% if 'relay' not in value_json or value_json['relay'] is none %}None{% elif "
              "value_json['relay'] %}ON{% else %}OFF{% endif %}");
    EXPECT_EQ(relay["unique_id"], "regpoll_inverter_relay");
    EXPECT_EQ(relay["entity_category"], "config");

    const auto& mode = by_topic.at("homeassistant/select/regpoll_inverter/status/config");
    EXPECT_EQ(mode["command_topic"], "regpoll/inverter/status/set");
    EXPECT_EQ(mode["options"], nlohmann::json::parse(R"(["waiting","normal","fault"])"));
    EXPECT_EQ(mode["value_template"],
              "{{ 'None' if 'status' not in value_json or value_json['status'] is none else "
              "value_json['status'] }}");

    const auto& limit = by_topic.at("homeassistant/number/regpoll_inverter/power_limit/config");
    EXPECT_EQ(limit["command_topic"], "regpoll/inverter/power_limit/set");
    EXPECT_EQ(limit["min"], 0.0);
    EXPECT_EQ(limit["max"], 100.0);
    EXPECT_DOUBLE_EQ(limit["step"].get<double>(), 0.1);
    EXPECT_EQ(limit["unit_of_measurement"], "%");
    EXPECT_EQ(limit["value_template"],
              "{{ 'None' if 'power_limit' not in value_json or value_json['power_limit'] is none "
              "else value_json['power_limit'] }}");

    // Writable in the profile but not allowed by the site: a sensor, no command topic.
    const auto& setpoint = by_topic.at("homeassistant/sensor/regpoll_inverter/setpoint/config");
    EXPECT_FALSE(setpoint.contains("command_topic"));
    EXPECT_EQ(by_topic.count("homeassistant/sensor/regpoll_inverter/ac_power/config"), 1U);

    // "commands": false announces sensors only.
    c.commands = false;
    for (const auto& m : MessageBuilder(c, s, "0.1.0").discovery()) {
        EXPECT_EQ(nlohmann::json::parse(m.payload).count("command_topic"), 0U) << m.topic;
    }
    EXPECT_TRUE(MessageBuilder(c, s, "0.1.0").command_filters().empty());
}

// A write-only point ("read": false) never has a state: a control without state topic or
// template when writes to it are allowed (Home Assistant then shows the value last sent),
// and no entity at all when they are not.
TEST(MqttMessages, WriteOnlyPointIsAControlWithoutState) {
    auto s = writable_site();
    auto& d = s->devices[0];
    for (auto& p : d.points.edit()) {
        if (p.name == "relay" || p.name == "power_limit" || p.name == "setpoint") p.readable = false;
    }
    MqttConfig c;
    c.homeassistant = true;
    std::map<std::string, nlohmann::json> by_topic;
    for (const auto& m : MessageBuilder(c, s, "0.1.0").discovery())
        by_topic[m.topic] = nlohmann::json::parse(m.payload);
    EXPECT_EQ(by_topic.size(), 6U);  // setpoint (not allowed) is left out
    EXPECT_EQ(by_topic.count("homeassistant/sensor/regpoll_inverter/setpoint/config"), 0U);
    const auto& relay = by_topic.at("homeassistant/switch/regpoll_inverter/relay/config");
    const auto& limit = by_topic.at("homeassistant/number/regpoll_inverter/power_limit/config");
    for (const auto* control : {&relay, &limit}) {
        EXPECT_FALSE(control->contains("state_topic")) << *control;
        EXPECT_FALSE(control->contains("value_template")) << *control;
        EXPECT_FALSE(control->contains("state_class")) << *control;
        EXPECT_TRUE(control->contains("availability")) << *control;
    }
    EXPECT_EQ(relay["command_topic"], "regpoll/inverter/relay/set");
    EXPECT_EQ(relay["payload_on"], "ON");
    EXPECT_EQ(limit["command_topic"], "regpoll/inverter/power_limit/set");
    EXPECT_EQ(limit["max"], 100.0);
    // A readable point beside them keeps its state.
    EXPECT_EQ(by_topic.at("homeassistant/select/regpoll_inverter/status/config")["state_topic"],
              "regpoll/inverter/state");

    c.commands = false;  // nothing may write them: no entities for them at all
    std::size_t configs = 0;
    for (const auto& m : MessageBuilder(c, s, "0.1.0").discovery()) {
        ++configs;
        EXPECT_EQ(m.topic.find("relay"), std::string::npos) << m.topic;
        EXPECT_EQ(m.topic.find("power_limit"), std::string::npos) << m.topic;
    }
    EXPECT_EQ(configs, 4U);
}

TEST(MqttMessages, NumberRangeFromTheTypeWhenNoMinMax) {
    auto s = writable_site();
    auto& limit = s->devices[0].points.edit().back();  // setpoint: float, no limits
    limit.name = "target";
    s->devices[0].writes_all = true;
    auto& p = s->devices[0].points.edit()[5];  // power_limit
    p.min.reset();
    p.max.reset();
    MqttConfig c;
    c.homeassistant = true;
    std::map<std::string, nlohmann::json> by_topic;
    for (const auto& m : MessageBuilder(c, s, "0.1.0").discovery())
        by_topic[m.topic] = nlohmann::json::parse(m.payload);
    const auto& n = by_topic.at("homeassistant/number/regpoll_inverter/power_limit/config");
    EXPECT_DOUBLE_EQ(n["min"].get<double>(), -3276.8);
    EXPECT_DOUBLE_EQ(n["max"].get<double>(), 3276.7);
    const auto& t = by_topic.at("homeassistant/number/regpoll_inverter/target/config");
    EXPECT_DOUBLE_EQ(t["step"].get<double>(), 0.1);  // precision 1
    EXPECT_EQ(t["device_class"], "temperature");
}

TEST(MqttMessages, CommandTopics) {
    MqttConfig c;
    c.base_topic = "home/pv";
    MessageBuilder b(c, writable_site(), "0.1.0");
    EXPECT_EQ(b.command_filters(), std::vector<std::string>{"home/pv/+/+/set"});
    EXPECT_EQ(b.command_target("home/pv/inverter/power_limit/set"),
              std::make_pair(std::string("inverter"), std::string("power_limit")));
    EXPECT_FALSE(b.command_target("home/pv/inverter/power_limit"));
    EXPECT_FALSE(b.command_target("home/pv/inverter/set"));
    EXPECT_FALSE(b.command_target("home/pv/a/b/c/set"));
    EXPECT_FALSE(b.command_target("other/inverter/power_limit/set"));
    EXPECT_FALSE(b.command_target("home/pv//x/set"));

    poll::WriteOutcome ok;
    ok.ok = true;
    ok.value = 55.5;
    auto m = b.write_result("inverter", "power_limit", ok);
    EXPECT_EQ(m.topic, "home/pv/inverter/power_limit/result");
    EXPECT_FALSE(m.retain);
    EXPECT_EQ(m.payload, R"({"ok":true,"value":55.5})");
    poll::WriteOutcome refused;
    refused.error = "100.5 is above the maximum 100 of point power_limit";
    EXPECT_EQ(b.write_result("inverter", "power_limit", refused).payload,
              R"({"ok":false,"error":"100.5 is above the maximum 100 of point power_limit"})");
}

TEST(MqttMessages, DomoticzSwitchSelectorSetpointInAndOut) {
    auto s = writable_site();
    s->devices[0].writes_all = true;
    MqttConfig c;
    c.plain_topics = false;
    c.state_topic = false;
    DomoticzMapping sw{"inverter", 20, DomoticzType::switch_, {"relay"}, "", {}, {}};
    DomoticzMapping sel{"inverter", 21,        DomoticzType::selector,        {"status"},
                        "",         {0, 1, 3}, {"waiting", "normal", "fault"}};
    DomoticzMapping sp{"inverter", 22, DomoticzType::setpoint, {"setpoint"}, "", {}, {}};
    DomoticzMapping volts{"inverter", 23, DomoticzType::voltage, {"l1_voltage"}, "", {}, {}};
    c.domoticz = {sw, sel, sp, volts};
    MessageBuilder b(c, s, "0.1.0");
    EXPECT_EQ(b.command_filters(),
              (std::vector<std::string>{"regpoll/+/+/set", "domoticz/out", "domoticz/out/#"}));
    EXPECT_TRUE(b.is_domoticz_out("domoticz/out/20"));
    EXPECT_TRUE(b.is_domoticz_out("domoticz/out/House/Kitchen"));
    EXPECT_FALSE(b.is_domoticz_out("domoticz/outside"));

    std::string why;
    // Before regpoll published anything, every change is a command.
    auto cmd =
        b.domoticz_command(R"({"idx":20,"nvalue":1,"svalue1":"0","dtype":"Light/Switch"})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->device, "inverter");
    EXPECT_EQ(cmd->point, "relay");
    EXPECT_EQ(cmd->payload, "1");
    EXPECT_EQ(cmd->origin, "Domoticz idx 20");

    const auto& d = s->devices[0];
    std::vector<Message> out;
    b.samples(samples(d, {{4, Value(true)},
                          {3, Value(std::string("fault"))},
                          {6, Value(21.5)},
                          {2, Value(230.0)}}),
              out);
    ASSERT_EQ(out.size(), 4U);
    EXPECT_EQ(out[0].payload, R"({"idx":20,"nvalue":1,"svalue":""})");
    EXPECT_EQ(out[1].payload,
              R"({"command":"switchlight","idx":21,"switchcmd":"Set Level","level":20})");
    EXPECT_EQ(out[2].payload, R"({"idx":22,"nvalue":0,"svalue":"21.5"})");

    // Domoticz echoes what regpoll sent (with Prevent Loop off): the point has it already.
    EXPECT_FALSE(b.domoticz_command(R"({"idx":20,"nvalue":1})", why));
    EXPECT_EQ(why, "idx 20: point relay already has that value");
    EXPECT_FALSE(b.domoticz_command(R"({"idx":20,"nvalue":4})", why));  // group on
    // D1: while a write of the point is on its way, the same value is someone's command.
    b.write_started("inverter", "relay");
    cmd = b.domoticz_command(R"({"idx":20,"nvalue":1})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->payload, "1");
    b.write_finished("inverter", "relay");
    EXPECT_FALSE(b.domoticz_command(R"({"idx":20,"nvalue":1})", why));
    cmd = b.domoticz_command(R"({"idx":20,"nvalue":3})", why);  // group off
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->payload, "0");
    EXPECT_FALSE(b.domoticz_command(R"({"idx":20,"nvalue":2})", why));
    EXPECT_EQ(why, "idx 20: nvalue 2 is not off (0, 3) or on (1, 4)");
    EXPECT_FALSE(b.domoticz_command(R"({"idx":21,"nvalue":2,"svalue1":"20"})", why));
    EXPECT_FALSE(b.domoticz_command(R"({"idx":22,"nvalue":0,"svalue1":"21.50"})", why));
    // A user's change is a command.
    cmd = b.domoticz_command(R"({"idx":20,"nvalue":0})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->payload, "0");
    cmd = b.domoticz_command(R"({"idx":21,"nvalue":2,"svalue1":"10"})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->point, "status");
    EXPECT_EQ(cmd->payload, "1");  // level 10 = the second raw value
    cmd = b.domoticz_command(R"({"idx":21,"svalue1":"70"})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->payload, "level 70");  // refused by the point, with a result message
    cmd = b.domoticz_command(R"({"idx":22,"svalue1":"19.5"})", why);
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->payload, "19.5");
    // Not for regpoll, or not a command type: nothing, silently.
    EXPECT_FALSE(b.domoticz_command(R"({"idx":99,"nvalue":1})", why));
    EXPECT_EQ(why, "");
    EXPECT_FALSE(b.domoticz_command(R"({"idx":23,"svalue1":"231"})", why));
    EXPECT_FALSE(b.domoticz_command("not json", why));
    EXPECT_EQ(why, "not a JSON object");
    EXPECT_EQ(selector_level(sel, Value(std::int64_t{3})), 20);
    EXPECT_EQ(selector_level(sel, Value(std::string("waiting"))), 0);
    EXPECT_FALSE(selector_level(sel, Value(std::int64_t{2})));
}

}  // namespace
}  // namespace regpoll::sink
