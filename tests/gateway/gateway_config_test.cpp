#include "gateway/gateway_config.hpp"

#include <gtest/gtest.h>

#include "site_text.hpp"

namespace regpoll::gateway {
namespace {

using testing::load_site_text;
using testing::site_json;
using testing::test_device;

std::string two_devices(const std::string& gateway) {
    return site_json("tcp://127.0.0.1:1502",
                     test_device("inverter", 1) + "," + test_device("meter", 2),
                     ", \"gateway\": " + gateway);
}

TEST(GatewayConfig, TheIssuesExampleLoadsAsWritten) {
    auto site = load_site_text(two_devices(
        R"([ { "listen": "tcp://0.0.0.0:5020", "units": { "1": "inverter", "2": "meter" },
                   "writes": "deny", "max_age": "2s", "max_clients": 32 } ])"));
    ASSERT_TRUE(site.diagnostics.ok()) << site.errors();
    ASSERT_EQ(site.gateways.size(), 1U);
    const auto& g = site.gateways[0];
    EXPECT_EQ(g.host, "0.0.0.0");
    EXPECT_EQ(g.port, 5020);
    EXPECT_EQ(g.writes, WriteMode::deny);
    EXPECT_EQ(g.max_age, std::chrono::milliseconds(2000));
    EXPECT_EQ(g.max_clients, 32U);
    ASSERT_NE(g.route(2), nullptr);
    EXPECT_EQ(site.config->devices[g.route(2)->device].name, "meter");
    EXPECT_EQ(g.route(3), nullptr);
}

TEST(GatewayConfig, WithoutUnitsEveryDeviceKeepsItsOwnUnitId) {
    auto site = load_site_text(two_devices(R"([ { "listen": "tcp://127.0.0.1:502" } ])"));
    ASSERT_TRUE(site.diagnostics.ok()) << site.errors();
    const auto& g = site.gateways.at(0);
    ASSERT_EQ(g.units.size(), 2U);
    EXPECT_EQ(g.route(1)->device, 0U);
    EXPECT_EQ(g.route(2)->device, 1U);
    EXPECT_EQ(g.writes, WriteMode::deny);  // safe by default
    EXPECT_FALSE(g.max_age);
    EXPECT_EQ(g.max_clients, 32U);
}

TEST(GatewayConfig, MistakesNameTheFileThePathWhatWasFoundAndWhatIsExpected) {
    auto site = load_site_text(two_devices(
        R"([ { "listen": "rtu+tcp://0.0.0.0:5020", "units": { "x": "inverter", "2": "boiler", "3": 7 },
                   "writes": "yes", "max_age": 2, "max_clients": 0, "port": 1 } ])"));
    const auto errors = site.errors();
    EXPECT_TRUE(site.gateways.empty());
    for (const char* expected :
         {"site.json: /gateway/0/listen: \"rtu+tcp://0.0.0.0:5020\" is not a TCP address (expected "
          "e.g. \"tcp://0.0.0.0:5020\")",
          "/gateway/0/units/x: \"x\" is not a unit id (expected 0 to 255)",
          "/gateway/0/units/2: no device \"boiler\" (devices: inverter, meter)",
          "/gateway/0/units/3: expected a device name, found 7", "/gateway/0/writes:",
          "/gateway/0/max_age: expected a duration string such as \"10s\", found 2",
          "/gateway/0/max_clients:", "/gateway/0/port"}) {
        EXPECT_NE(errors.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                            << errors;
    }
}

TEST(GatewayConfig, DevicesSharingAUnitIdNeedAMap) {
    auto site = load_site_text(
        site_json("tcp://127.0.0.1:1502", test_device("a", 1) + "," + test_device("b", 1),
                  R"(, "gateway": [ { "listen": "tcp://127.0.0.1:502" } ])"));
    EXPECT_NE(site.errors().find("/gateway/0: devices \"a\" and \"b\" both use unit 1"),
              std::string::npos)
        << site.errors();
}

TEST(GatewayConfig, TwoGatewaysCannotShareAnAddressAndTheSectionIsAList) {
    auto twice = load_site_text(two_devices(
        R"([ { "listen": "tcp://127.0.0.1:5020" }, { "listen": "tcp://127.0.0.1:5020" } ])"));
    EXPECT_NE(twice.errors().find("/gateway/1/listen: \"tcp://127.0.0.1:5020\" is already the "
                                  "address of another gateway"),
              std::string::npos)
        << twice.errors();
    auto object = load_site_text(two_devices(R"({ "listen": "tcp://127.0.0.1:5020" })"));
    EXPECT_NE(object.errors().find("/gateway: expected a list of gateways"), std::string::npos)
        << object.errors();
}

}  // namespace
}  // namespace regpoll::gateway
