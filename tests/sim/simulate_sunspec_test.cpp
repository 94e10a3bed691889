// `regpoll simulate` serving SunSpec chains ("sunspec" in sim.json): the field presets and a
// chain described model by model, walked by `regpoll discover` with each quirk showing.
#include <gtest/gtest.h>

#include "sim_process.hpp"

namespace regpoll::testing::sim {
namespace {

json discover(std::uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> argv{
        REGPOLL_BINARY, "discover",  "tcp://127.0.0.1:" + std::to_string(port),
        "--json",       "--timeout", "500ms"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = run_command(argv, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

std::vector<int> model_ids(const json& chain) {
    std::vector<int> ids;
    for (const auto& d : chain["devices"]) {
        for (const auto& m : d["models"]) ids.push_back(m["id"].get<int>());
    }
    return ids;
}

json point(const json& chain, int model, const std::string& name) {
    for (const auto& d : chain["devices"]) {
        for (const auto& m : d["models"]) {
            if (m["id"] != model) continue;
            for (const auto& p : m["points"]) {
                if (p["name"] == name) return p["value"];
            }
        }
    }
    return "missing";
}

TEST(SimulateSunspec, PresetsMirrorTheField) {
    const auto config = write_file("sunspec-presets.json", R"({
      "listen": "tcp://127.0.0.1:0",
      "sunspec": [ { "preset": "fronius" }, { "preset": "sma" } ] })");
    auto simulator = start_simulator({"-c", config, "--seconds", "120"}, "sunspec-presets.log");
    const std::uint16_t fronius_port = simulator.ready_port();

    auto fronius = discover(fronius_port, {"--units", "1,200"});
    ASSERT_EQ(fronius["chains"].size(), 2u);
    const auto& inverter = fronius["chains"][0];
    EXPECT_EQ(model_ids(inverter), (std::vector<int>{1, 113, 160}));
    EXPECT_EQ(inverter["devices"][0]["models"][0]["length"], 65);
    EXPECT_EQ(inverter["devices"][0]["Mn"], "Fronius");
    EXPECT_EQ(point(inverter, 113, "PhVphA"), 230.0);
    EXPECT_EQ(point(inverter, 160, "module[2].DCV"), 230.0);
    EXPECT_EQ(model_ids(fronius["chains"][1]), (std::vector<int>{1, 213}));
    EXPECT_EQ(fronius["chains"][1]["unit"], 200);

    auto sma = discover(fronius_port, {"--units", "auto"});
    std::vector<int> units;
    for (const auto& c : sma["chains"]) units.push_back(c["unit"].get<int>());
    EXPECT_EQ(units, (std::vector<int>{1, 126, 200}));
    EXPECT_EQ(model_ids(sma["chains"][1]), (std::vector<int>{1, 11, 12, 103, 120, 160}));
    EXPECT_EQ(point(sma["chains"][1], 103, "W"), 1150.0);
}

TEST(SimulateSunspec, KostalEndsWithAnExceptionAfterTheBattery) {
    const auto config = write_file("sunspec-kostal.json", R"({
      "listen": "tcp://127.0.0.1:0", "sunspec": [ { "preset": "kostal" } ] })");
    auto simulator = start_simulator({"-c", config, "--seconds", "120"}, "sunspec-kostal.log");
    auto kostal = discover(simulator.ready_port(), {});
    EXPECT_EQ(model_ids(kostal["chains"][0]), (std::vector<int>{1, 103, 113, 160, 802}));
    EXPECT_EQ(kostal["chains"][0]["end"], "exception 2 after model 802");
}

TEST(SimulateSunspec, SolarEdgeMetersAreSubdevices) {
    const auto config = write_file("sunspec-solaredge.json", R"({
      "listen": "tcp://127.0.0.1:0", "sunspec": [ { "preset": "solaredge" } ] })");
    auto simulator = start_simulator({"-c", config, "--seconds", "120"}, "sunspec-se.log");
    auto out = discover(simulator.ready_port(), {});
    const auto& chain = out["chains"][0];
    ASSERT_EQ(chain["devices"].size(), 2u);
    EXPECT_EQ(chain["devices"][1]["Md"], "WND-3Y-400-MB");
    EXPECT_EQ(chain["devices"][1]["models"][1]["id"], 203);
}

TEST(SimulateSunspec, ChainsDescribedModelByModel) {
    const auto config = write_file("sunspec-custom.json", R"({
      "listen": "tcp://127.0.0.1:0",
      "sunspec": [ { "unit": 3, "base": 50000, "end": "zero", "models": [
        { "id": 1, "values": { "Mn": "Acme", "SN": "7" }, "length": 66 },
        { "id": 103, "values": { "W": 2500, "W_SF": 1, "PhVphA": null }, "length": 52 },
        { "id": 160, "repeats": 3 } ] } ] })");
    auto simulator = start_simulator({"-c", config, "--seconds", "120"}, "sunspec-custom.log");
    auto out = discover(simulator.ready_port(), {"--unit", "3"});
    const auto& chain = out["chains"][0];
    EXPECT_EQ(chain["base"], 50000);
    EXPECT_EQ(chain["end"], "zero id");
    EXPECT_EQ(point(chain, 103, "W"), 2500.0);
    EXPECT_TRUE(point(chain, 103, "PhVphA").is_null());
    EXPECT_EQ(point(chain, 160, "N"), 3);
    EXPECT_NE(chain["notes"].dump().find("L is 52, the specification says 50"), std::string::npos);
}

TEST(SimulateSunspec, BadChainsAreConfigurationErrors) {
    const auto config = write_file("sunspec-bad.json", R"({
      "sunspec": [ { "preset": "huawei" },
                   { "models": [ { "id": 4242 } ] },
                   { "models": [ { "id": 1, "values": { "Mn": 5 } } ] } ] })");
    auto r = run_command({REGPOLL_BINARY, "simulate", "-c", config}, 30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/sunspec/0/preset: \"huawei\" is not a preset"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("/sunspec/1: model 4242 is not in regpoll's SunSpec table"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("/sunspec/2: model 1: point Mn:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace regpoll::testing::sim
