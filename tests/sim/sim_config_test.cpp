// sim.json: what it builds, and mistakes reported with file and JSON path.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/sim_config.hpp"

namespace regpoll::sim {
namespace {

namespace fs = std::filesystem;

class SimConfigTest : public ::testing::Test {
  protected:
    SimConfigTest() : library_({std::string(REGPOLL_SOURCE_DIR) + "/devices"}) {}

    SimConfigResult load(const std::string& text) {
        const auto dir =
            fs::temp_directory_path() / ("regpoll-sim-config-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        path_ = (dir / "sim.json").string();
        std::ofstream(path_) << text;
        return load_sim_config(path_, library_);
    }

    // The one error, without the file name in front.
    std::string error(const std::string& text) {
        auto r = load(text);
        EXPECT_FALSE(r.config);
        EXPECT_FALSE(r.diagnostics.errors().empty());
        if (r.diagnostics.errors().empty()) return "";
        const std::string& e = r.diagnostics.errors().front();
        EXPECT_EQ(e.rfind(path_ + ": ", 0), 0U) << e;
        return e.substr(path_.size() + 2);
    }

    profile::ProfileLibrary library_;
    std::string path_;
};

TEST_F(SimConfigTest, DevicesShareListenersByUriAndFaultsBelongToTheListener) {
    auto r = load(R"({
      // comments are allowed
      "listen": "tcp://127.0.0.1:5020",
      "refresh": "250ms",
      "seed": 7,
      "faults": { "delay": "5ms" },
      "devices": [
        { "unit": 1, "profile": "growatt/min-tl-x",
          "points": { "ac_power": { "generator": "solar", "peak": 4600 },
                      "status": { "generator": "constant", "value": "normal" },
                      "l1_voltage": { "generator": "random_walk", "spread": 0.02 } },
          "faults": { "jitter": "5ms", "drop_rate": 0.01, "max_registers": 45, "single_connection": true } },
        { "name": "meter", "unit": 2, "profile": "eastron/sdm120" },
        { "unit": 1, "profile": "sma/sunny-boy", "listen": "rtu+tcp://127.0.0.1:5021",
          "points": { "dc_power_b": { "generator": "unavailable" } } }
      ] })");
    for (const auto& e : r.diagnostics.errors()) ADD_FAILURE() << e;
    ASSERT_TRUE(r.config);
    const SimConfig& c = *r.config;
    EXPECT_EQ(c.refresh, std::chrono::milliseconds(250));
    EXPECT_EQ(c.seed, 7U);
    ASSERT_EQ(c.listeners.size(), 2U);
    ASSERT_EQ(c.devices.size(), 3U);
    EXPECT_EQ(c.devices[0].name, "growatt-min-tl-x-1");
    EXPECT_EQ(c.devices[1].name, "meter");
    EXPECT_EQ(c.devices[0].listener, 0U);
    EXPECT_EQ(c.devices[1].listener, 0U);
    EXPECT_EQ(c.devices[2].listener, 1U);
    const auto& first = c.listeners[0];
    EXPECT_EQ(first.faults.delay, std::chrono::milliseconds(5));   // top level
    EXPECT_EQ(first.faults.jitter, std::chrono::milliseconds(5));  // the device's
    EXPECT_EQ(first.faults.drop_rate, 0.01);
    EXPECT_EQ(first.max_registers, 45);
    EXPECT_EQ(first.single_connection, true);
    EXPECT_EQ(c.listeners[1].faults.delay, std::chrono::milliseconds(5));
    EXPECT_FALSE(c.listeners[1].max_registers);
    EXPECT_EQ(c.listeners[1].address.framing, modbus::Framing::rtu);
    const auto& points = c.devices[0].points;
    EXPECT_EQ(points.at("ac_power").kind, GeneratorKind::solar);
    EXPECT_EQ(points.at("ac_power").peak, 4600.0);
    EXPECT_EQ(points.at("status").value, codec::Value(std::string("normal")));
    EXPECT_EQ(points.at("l1_voltage").nominal, 230.0);  // kept from the point's default
    EXPECT_EQ(points.at("l1_voltage").spread, 0.02);
    EXPECT_EQ(c.devices[2].points.at("dc_power_b").kind, GeneratorKind::unavailable);
}

TEST_F(SimConfigTest, ErrorsNameTheFileAndTheJsonPath) {
    const std::string head = R"({ "devices": [ { "profile": "growatt/min-tl-x", )";
    EXPECT_EQ(error(head + R"("points": { "ac_pwr": { "generator": "solar" } } } ] })"),
              "/devices/0/points/ac_pwr: no point named \"ac_pwr\" in " +
                  std::string(REGPOLL_SOURCE_DIR) + "/devices/growatt/min-tl-x.json");
    EXPECT_EQ(error(head + R"("points": { "ac_power": { "generator": "sine" } } } ] })"),
              "/devices/0/points/ac_power/generator: \"sine\" is not a generator (expected one of "
              "constant, "
              "random_walk, solar, energy, counter, cycle, unavailable, derived)");
    EXPECT_EQ(
        error(head + R"("points": { "ac_power": { "generator": "solar", "peek": 1 } } } ] })"),
        "/devices/0/points/ac_power/peek: unknown key \"peek\" (expected generator, peak, sunrise, "
        "sunset, "
        "noise, min, max)");
    EXPECT_EQ(
        error(head +
              R"("points": { "status": { "generator": "constant", "value": "sleeping" } } } ] })"),
        "/devices/0/points/status/value: \"sleeping\" is not one of the map's texts (\"waiting\", "
        "\"normal\", "
        "\"fault\")");
    EXPECT_EQ(error(head + R"("points": { "ac_power": { "generator": "unavailable" } } } ] })"),
              "/devices/0/points/ac_power/generator: point \"ac_power\" has no \"nan\" sentinel, "
              "so it cannot be "
              "\"unavailable\"");
    EXPECT_EQ(
        error(head +
              R"("points": { "energy_total": { "generator": "energy", "source": "sun" } } } ] })"),
        "/devices/0/points/energy_total/source: no other point named \"sun\" to integrate");
    EXPECT_EQ(error(head + R"("faults": { "drop_rate": 2 } } ] })"),
              "/devices/0/faults/drop_rate: 2 is not a probability (expected 0 to 1)");
    EXPECT_EQ(error(head + R"("listen": "udp://x:1" } ] })").substr(0, 18), "/devices/0/listen:");
    EXPECT_EQ(error(head + R"("color": "red" } ] })"),
              "/devices/0/color: unknown key \"color\" (expected name, unit, profile, listen, "
              "points, faults)");
    EXPECT_EQ(
        error(
            R"({ "devices": [ { "profile": "growatt/min-tl-x" }, { "profile": "eastron/sdm120" } ] })"),
        "/devices/1/unit: unit 1 is already served on tcp://127.0.0.1:5020 (give one of them "
        "another \"unit\")");
    EXPECT_EQ(error(R"({ "devices": [ { "profile": "growatt/min-tl-x", "faults": {} },
                                       { "unit": 2, "profile": "eastron/sdm120", "faults": {} } ] })"),
              "/devices/1/faults: listener tcp://127.0.0.1:5020 already has its faults from "
              "/devices/0/faults "
              "(devices on one listener share them: give them once)");
    EXPECT_EQ(error(R"({ "devices": [] })"), "/: \"devices\" must be a non-empty list");
    EXPECT_NE(error(R"({ "devices": [ { "profile": "acme/none" } ] })")
                  .find("/devices/0/profile: unknown profile"),
              std::string::npos);
}

TEST_F(SimConfigTest, ScaleFactorsTakeAnExponentOrUnavailableOnly) {
    const std::string head = R"({ "devices": [ { "profile": "sunspec/inverter", "points": { )";
    EXPECT_NE(error(head + R"("a_sf": { "generator": "solar" } } } ] })").find("is a scale factor"),
              std::string::npos);
    auto ok = load(
        head +
        R"("a_sf": { "generator": "constant", "value": -2 }, "w_sf": { "generator": "unavailable" } } } ] })");
    for (const auto& e : ok.diagnostics.errors()) ADD_FAILURE() << e;
    ASSERT_TRUE(ok.config);
}

TEST_F(SimConfigTest, TheShippedExampleLoads) {
    auto r = load_sim_config(std::string(REGPOLL_SOURCE_DIR) + "/tests/sim/data/example.sim.json",
                             library_);
    for (const auto& e : r.diagnostics.errors()) ADD_FAILURE() << e;
    ASSERT_TRUE(r.config);
    EXPECT_EQ(r.config->listeners.size(), 2U);
    EXPECT_EQ(r.config->devices.size(), 3U);
    EXPECT_EQ(r.config->listeners[1].single_connection, true);
    EXPECT_EQ(r.config->devices[0].points.at("status").values,
              (std::vector<codec::Value>{std::string("waiting"), std::string("normal")}));
}

TEST_F(SimConfigTest, SyntaxErrorsHaveLineAndColumn) {
    auto r = load("{ \"devices\": [ }");
    ASSERT_FALSE(r.diagnostics.ok());
    EXPECT_EQ(r.diagnostics.errors().front().rfind(path_ + ":1:", 0), 0U)
        << r.diagnostics.errors().front();
}

}  // namespace
}  // namespace regpoll::sim
