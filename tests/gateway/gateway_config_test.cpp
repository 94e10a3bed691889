#include "gateway/gateway_config.hpp"

#include <gtest/gtest.h>

#include "profile/site_shard.hpp"
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

// One site file serves every shard: a unit mapped to another shard's device is a warning, and
// this shard's gateway leaves that unit out (clients get exception 0x0A for it).
TEST(GatewayConfig, AUnitOfAnotherShardsDeviceIsLeftOutWithAWarning) {
    namespace fs = std::filesystem;
    const auto path = (fs::temp_directory_path() /
                       ("regpoll-gateway-shard-" + std::to_string(::getpid()) + ".json"))
                          .string();
    // "inverter" goes to shard 1/2, "boiler" to shard 2/2 (rendezvous hashing of the names).
    std::ofstream(path) << site_json(
        "tcp://127.0.0.1:1502", test_device("inverter", 1) + "," + test_device("boiler", 2),
        R"(, "shard": "1/2", "gateway": [ { "listen": "tcp://127.0.0.1:5020",
                                         "units": { "1": "inverter", "2": "boiler" } } ])");
    profile::ProfileLibrary library;
    auto loaded = profile::load_site_config(path, library);
    fs::remove(path);
    ASSERT_TRUE(loaded.config);
    profile::keep_shard(*loaded.config);
    auto gateways = parse_gateway_config(*loaded.config, loaded.diagnostics);
    ASSERT_TRUE(loaded.diagnostics.ok());
    ASSERT_EQ(gateways.size(), 1U);
    ASSERT_NE(gateways[0].route(1), nullptr);
    EXPECT_EQ(loaded.config->devices[gateways[0].route(1)->device].name, "inverter");
    EXPECT_EQ(gateways[0].route(2), nullptr);
    ASSERT_EQ(loaded.diagnostics.warnings().size(), 1U);
    EXPECT_NE(loaded.diagnostics.warnings()[0].find(
                  "/gateway/0/units/2: device \"boiler\" is polled by shard 2/2, not this one "
                  "(1/2): here unit 2 "
                  "is answered with exception 0x0A (gateway path unavailable)"),
              std::string::npos)
        << loaded.diagnostics.warnings()[0];
}

}  // namespace
}  // namespace regpoll::gateway
