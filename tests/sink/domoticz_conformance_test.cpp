// What Domoticz's own parser makes of regpoll's messages, and what regpoll makes of
// Domoticz's, end to end with a real mosquitto (defects D1, D2, D3, D6 of the conformance
// report; Domoticz file:line references are at domoticz/domoticz 85308e9).
#include <gtest/gtest.h>

#include "conformance_site.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// D1: Off, On, Off in quick succession. The second Off equals the relay's state after the
// first, but the On waiting for the write interval would otherwise win: it must not be taken
// for an echo (Domoticz's "Prevent Loop", MQTT.cpp:302/:805, suppresses echoes itself).
TEST_F(ConformanceTest, D1_OffOnOffInQuickSuccessionLeavesTheRelayOff) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site());
    ASSERT_TRUE(wait_for(sub, "domoticz/in"));
    const auto from = sub.got.size();
    sub.publish(
        "domoticz/out",
        R"({"idx":20,"nvalue":0,"svalue1":"0","dtype":"Light/Switch","switchType":"On/Off"})");
    ASSERT_TRUE(wait_for(sub, "regpoll/plc/relay/result", from));  // the first Off, written at once
    sub.publish(
        "domoticz/out",
        R"({"idx":20,"nvalue":1,"svalue1":"0","dtype":"Light/Switch","switchType":"On/Off"})");
    sub.publish(
        "domoticz/out",
        R"({"idx":20,"nvalue":0,"svalue1":"0","dtype":"Light/Switch","switchType":"On/Off"})");
    // Three results: Off written, On superseded by the last Off, the last Off written.
    sub.collect(10s, [&](const std::vector<Received>&) {
        return payloads_after(sub, from, "regpoll/plc/relay/result").size() >= 3;
    });
    const auto results = payloads_after(sub, from, "regpoll/plc/relay/result");
    ASSERT_EQ(results.size(), 3U);
    EXPECT_EQ(json::parse(results.back()), json::parse(R"({"ok":true,"value":false})"));
    EXPECT_EQ(read_device("0", 1)[0], 0);
}

// D2: "Counter" (RFXMeter) stores an integer count, std::stoll (SQLHelper.cpp:7036), shown
// divided by the energy divider 1000: a kWh point goes as integer Wh.
TEST_F(ConformanceTest, D2_CounterSendsAnIntegerCountInWh) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site());
    sub.collect(10s, [&](const std::vector<Received>& got) {
        for (const auto& r : got)
            if (r.topic == "domoticz/in" && r.payload.find("\"idx\":23") != std::string::npos)
                return true;
        return false;
    });
    const auto in = sub.payloads("domoticz/in");
    EXPECT_NE(std::find(in.begin(), in.end(), R"({"idx":23,"nvalue":0,"svalue":"12345602"})"),
              in.end())
        << (in.empty() ? "" : in.front());
}

// D3: Domoticz's "Index", "Name" and floor/room publish schemes send to domoticz/out/<idx>,
// domoticz/out/<name>, domoticz/out/<floor>/<room> (MQTT.cpp:953-963); group off/on are
// nvalue 3/4 (hardwaretypes.h:202-208).
TEST_F(ConformanceTest, D3_EveryPublishSchemeAndGroupCommandsArrive) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site());
    ASSERT_TRUE(wait_for(sub, "domoticz/in"));
    auto ask = [&](const std::string& topic, int nvalue) {
        const auto from = sub.got.size();
        sub.publish(topic, R"({"idx":20,"nvalue":)" + std::to_string(nvalue) +
                               R"(,"svalue1":"0","name":"Relay"})");
        if (!wait_for(sub, "regpoll/plc/relay/result", from)) return json();
        return json::parse(payloads_after(sub, from, "regpoll/plc/relay/result").front());
    };
    EXPECT_EQ(ask("domoticz/out/20", 0), json::parse(R"({"ok":true,"value":false})"));    // Index
    EXPECT_EQ(ask("domoticz/out/Relay", 1), json::parse(R"({"ok":true,"value":true})"));  // Name
    EXPECT_EQ(ask("domoticz/out/House/Kitchen", 3),
              json::parse(R"({"ok":true,"value":false})"));  // group off
    EXPECT_EQ(read_device("0", 1)[0], 0);
    EXPECT_EQ(ask("domoticz/out", 4),
              json::parse(R"({"ok":true,"value":true})"));  // flat, group on
    EXPECT_EQ(read_device("0", 1)[0], 1);
}

// D6: a mapping goes out when its value changes, and again after its heartbeat (default 5 min),
// not every poll: a selector's "Set Level" runs its level action each time
// (mainworker.cpp:10320 -> SQLHelper.cpp:5582).
TEST_F(ConformanceTest, D6_SentOnChangeAndHeartbeatNotEveryPoll) {
    Subscriber sub(broker_->uri(), "test-" + name_);
    start_regpoll(site(R"(, "heartbeat": "1s")"));
    auto count = [&](const char* idx) {
        std::size_t n = 0;
        for (const auto& p : sub.payloads("domoticz/in"))
            n += p.find(idx) != std::string::npos ? 1 : 0;
        return n;
    };
    // The voltage mapping's 1 s heartbeat: three sends take at least two seconds of 200 ms polls.
    sub.collect(15s, [&](const std::vector<Received>&) { return count("\"idx\":24,") >= 3; });
    ASSERT_GE(count("\"idx\":24,"), 3U);
    EXPECT_EQ(count("\"idx\":20,"), 1U);  // switch: unchanged, default heartbeat 5 min
    EXPECT_EQ(count("\"idx\":21,"), 1U);  // selector
    EXPECT_EQ(count("\"idx\":23,"), 1U);  // counter
    // A change goes out at once.
    const auto from = sub.got.size();
    sub.publish("regpoll/plc/mode/set", "Grid First");
    sub.collect(10s, [&](const std::vector<Received>&) {
        for (const auto& p : payloads_after(sub, from, "domoticz/in"))
            if (p.find("\"level\":20") != std::string::npos) return true;
        return false;
    });
    EXPECT_EQ(count("\"idx\":21,"), 2U);
}

}  // namespace
}  // namespace regpoll::testing
