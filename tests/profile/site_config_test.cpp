#include "profile/site_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;
const std::string broken_dir = std::string(REGPOLL_SOURCE_DIR) + "/tests/profile/broken";

std::string write_temp(const std::string& name, const std::string& text) {
    const auto dir = fs::temp_directory_path() / ("regpoll-profile-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

// Every config in tests/profile/broken/ fails with the errors its .expected file lists,
// each naming its file and JSON path; nothing loads.
TEST(SiteConfig, EveryBrokenConfigReportsItsExpectedErrors) {
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(broken_dir)) {
        if (entry.path().extension() != ".expected") continue;
        auto config_path = entry.path();
        config_path.replace_extension(".json");
        ProfileLibrary library;
        auto result = load_site_config(config_path.string(), library);
        EXPECT_FALSE(result.config) << config_path;
        std::ifstream expected(entry.path());
        std::string line;
        while (std::getline(expected, line)) {
            if (line.empty()) continue;
            const auto& errors = result.diagnostics.errors();
            const bool found = std::any_of(errors.begin(), errors.end(),
                                           [&](const std::string& e) { return e.find(line) != std::string::npos; });
            std::string all;
            for (const auto& e : errors) all += "\n  " + e;
            EXPECT_TRUE(found) << config_path.filename() << ": expected an error containing\n  " << line
                               << "\ngot:" << all;
        }
        ++checked;
    }
    EXPECT_GE(checked, 14);
}

TEST(SiteConfig, ErrorsStartWithTheFileName) {
    ProfileLibrary library;
    auto result = load_site_config(broken_dir + "/type-typo.json", library);
    ASSERT_EQ(result.diagnostics.errors().size(), 1U);
    EXPECT_EQ(result.diagnostics.errors()[0].rfind(broken_dir + "/type-typo.json: /devices/0/points/0/type: ", 0), 0U)
        << result.diagnostics.errors()[0];
}

TEST(SiteConfig, InlinePointsAddToAndOverrideTheProfile) {
    const auto path = write_temp("override.json", R"({
      // comments are allowed
      "buses": [ { "name": "roof", "uri": "rtu+tcp://192.168.1.60:8899", "timeout": "1s" } ],
      "devices": [ { "name": "meter", "bus": "roof", "unit": 2, "profile": "eastron/sdm120", "interval": "5s",
                     "points": [ { "name": "voltage", "address": 0, "register": "input", "type": "float32",
                                   "unit": "V", "precision": 1 },
                                 { "name": "extra", "address": 500, "register": "holding" } ] } ] })");
    ProfileLibrary library;
    auto result = load_site_config(path, library);
    ASSERT_TRUE(result.config) << (result.diagnostics.errors().empty() ? "" : result.diagnostics.errors()[0]);
    const auto& dev = result.config->devices.at(0);
    EXPECT_EQ(dev.manufacturer, "Eastron");
    EXPECT_EQ(dev.interval, std::chrono::seconds(5));
    const auto profile_points = dev.profile->points.size();
    EXPECT_EQ(dev.points.size(), profile_points + 1);  // "voltage" replaced, "extra" added
    auto voltage = std::find_if(dev.points.begin(), dev.points.end(), [](const Point& p) { return p.name == "voltage"; });
    ASSERT_NE(voltage, dev.points.end());
    EXPECT_EQ(voltage->precision, 1);
    EXPECT_EQ(result.config->buses[0].uri.port, 8899);
}

// Devices on one profile share its point list (one copy for a thousand meters); a device
// with inline points gets its own, and the profile's list stays as it was.
TEST(SiteConfig, DevicesOfOneProfileShareItsPoints) {
    const auto path = write_temp("shared.json", R"({
      "buses": [ { "name": "roof", "uri": "tcp://192.168.1.60:502" } ],
      "devices": [ { "name": "m1", "bus": "roof", "unit": 1, "profile": "eastron/sdm120" },
                   { "name": "m2", "bus": "roof", "unit": 2, "profile": "eastron/sdm120" },
                   { "name": "m3", "bus": "roof", "unit": 3, "profile": "eastron/sdm120",
                     "points": [ { "name": "extra", "address": 500, "register": "holding" } ] } ] })");
    ProfileLibrary library;
    auto result = load_site_config(path, library);
    ASSERT_TRUE(result.config) << (result.diagnostics.errors().empty() ? "" : result.diagnostics.errors()[0]);
    const auto& devs = result.config->devices;
    EXPECT_TRUE(devs[0].points.shares_with(devs[1].points));
    EXPECT_TRUE(devs[0].points.shares_with(devs[0].profile->points));
    EXPECT_FALSE(devs[2].points.shares_with(devs[0].points));
    EXPECT_EQ(devs[2].points.size(), devs[0].points.size() + 1);
    EXPECT_EQ(devs[0].profile->points.size(), devs[0].points.size());
    EXPECT_EQ(&devs[0].points[0].name, &devs[1].points[0].name);
}

TEST(SiteConfig, ProfileDefaultsApplyAndAPointsOwnOrderWins) {
    const auto profile = write_temp("acme.json", R"({ "manufacturer": "Acme", "model": "X",
      "defaults": { "register": "input", "type": "float32", "endianness": "big", "word_order": "little" },
      "limits": { "max_registers": 40, "max_gap": 4, "pause_after_connect": "1s", "single_connection": true },
      "points": [ { "name": "a", "address": 0 }, { "name": "b", "address": 2, "order": "ABCD" },
                  { "name": "c", "address": 4, "type": "uint16", "map": { "0": "off", "1": "on" } } ] })");
    const auto config = write_temp("acme-site.json", R"({ "buses": [ { "name": "b", "uri": "tcp://10.0.0.2" } ],
      "devices": [ { "name": "x", "bus": "b", "profile": "./acme.json" } ] })");
    ProfileLibrary library;
    auto result = load_site_config(config, library);
    ASSERT_TRUE(result.config) << (result.diagnostics.errors().empty() ? "" : result.diagnostics.errors()[0]);
    const auto& pts = result.config->devices[0].points;
    EXPECT_EQ(pts[0].kind, modbus::RegisterKind::input);
    EXPECT_EQ(pts[0].format.word_order, codec::WordOrder::little);
    EXPECT_EQ(pts[1].format.word_order, codec::WordOrder::big);
    EXPECT_EQ(pts[2].format.type, codec::Type::uint16);
    EXPECT_EQ(pts[2].map.at(1), "on");
    const auto& limits = result.config->devices[0].limits;
    EXPECT_EQ(limits.max_registers, 40);
    EXPECT_EQ(limits.max_gap, 4);
    EXPECT_EQ(limits.pause_after_connect, std::chrono::seconds(1));
    EXPECT_TRUE(limits.single_connection);
}

// "relay" on a shine+listen:// bus: host and port (5279 when left out, IPv6 in brackets),
// commands blocked unless "relay_commands" allows them; no relay unless asked for.
TEST(SiteConfig, ShineRelayTargetsAndCommands) {
    const auto path = write_temp("relay.json", R"({
      "buses": [ { "name": "a", "uri": "shine+listen://127.0.0.1:0", "relay": "server.growatt.com:5279" },
                 { "name": "b", "uri": "shine+listen://127.0.0.1:0", "relay": "192.0.2.7", "relay_commands": "allow" },
                 { "name": "c", "uri": "shine+listen://127.0.0.1:0", "relay": "[::1]:15279", "relay_commands": "block" },
                 { "name": "d", "uri": "shine+listen://127.0.0.1:0" } ],
      "devices": [ { "name": "inv", "bus": "a", "datalogger": "XGD5BF42MX",
                     "points": [ { "name": "status", "register": "input", "address": 3000 } ] } ] })");
    ProfileLibrary library;
    auto result = load_site_config(path, library);
    ASSERT_TRUE(result.config) << (result.diagnostics.errors().empty() ? "" : result.diagnostics.errors()[0]);
    const auto& buses = result.config->buses;
    ASSERT_TRUE(buses[0].relay);
    EXPECT_EQ(buses[0].relay->host, "server.growatt.com");
    EXPECT_EQ(buses[0].relay->port, 5279);
    EXPECT_FALSE(buses[0].relay->allow_commands);
    ASSERT_TRUE(buses[1].relay);
    EXPECT_EQ(buses[1].relay->host, "192.0.2.7");
    EXPECT_EQ(buses[1].relay->port, 5279);
    EXPECT_TRUE(buses[1].relay->allow_commands);
    ASSERT_TRUE(buses[2].relay);
    EXPECT_EQ(buses[2].relay->host, "::1");
    EXPECT_EQ(buses[2].relay->port, 15279);
    EXPECT_FALSE(buses[2].relay->allow_commands);
    EXPECT_FALSE(buses[3].relay);
}

}  // namespace
}  // namespace regpoll::profile
