// The derived generator: sums of other values with factors, across devices and signals,
// evaluated after its sources in the same refresh; names that exist and no cycles.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "sim/generators.hpp"
#include "sim/simulation.hpp"
#include "sim/value_order.hpp"
#include "sim_json_file.hpp"

namespace regpoll::sim {
namespace {

GeneratorSpec derived(std::vector<GeneratorSpec::Term> terms, double offset = 0) {
    GeneratorSpec s;
    s.kind = GeneratorKind::derived;
    s.terms = std::move(terms);
    s.offset = offset;
    return s;
}

TEST(DerivedGenerator, SumsTermsTimesTheirFactorsPlusTheOffset) {
    double pv = 2000;
    std::optional<double> load = 650;
    GeneratorContext context;
    context.terms = {[&] { return std::optional(pv); }, [&] { return load; }};
    auto g = make_generator(derived({{"pv", -1}, {"load", 1}}, 5), std::move(context));
    EXPECT_DOUBLE_EQ(std::get<double>(g->next({})), 5 - 2000 + 650);
    pv = 0;
    EXPECT_DOUBLE_EQ(std::get<double>(g->next({})), 655);
    load.reset();  // a source not available: neither is the sum
    EXPECT_TRUE(std::holds_alternative<std::monostate>(g->next({})));
}

TEST(DerivedGenerator, AbsGivesTheSumWithoutItsSign) {
    GeneratorSpec s = derived({{"power_l1", 1.0309}});
    s.magnitude = true;
    double power = -1500;  // exporting
    GeneratorContext context;
    context.terms = {[&] { return std::optional(power); }};
    auto g = make_generator(s, std::move(context));
    EXPECT_DOUBLE_EQ(std::get<double>(g->next({})), 1500 * 1.0309);
    power = 400;
    EXPECT_DOUBLE_EQ(std::get<double>(g->next({})), 400 * 1.0309);
    EXPECT_EQ(describe(s), "derived abs 0 + 1.0309 x power_l1");
}

TEST(DerivedGenerator, IsClampedToItsPointsRange) {
    GeneratorSpec s = derived({{"x", 2}});
    s.min = 0;
    GeneratorContext context;
    context.terms = {[] { return std::optional(-3.0); }};
    auto g = make_generator(s, std::move(context));
    EXPECT_DOUBLE_EQ(std::get<double>(g->next({})), 0.0);
}

TEST(ValueOrder, SourcesComeFirstAcrossOwners) {
    const GeneratorSpec solar{};
    const GeneratorSpec meter_power = derived({{"load"}, {"inverter.ac_power", -1}});
    const GeneratorSpec phase = derived({{"power", 0.5}});
    const GeneratorSpec load = derived({{"base"}});
    std::vector<ValueOwner> owners{
        {"meter", {"power_l1", "power"}, {&phase, &meter_power}},
        {"inverter", {"ac_power", "status"}, {&solar, nullptr}},
        {"", {"load", "base"}, {&load, &solar}},
    };
    const auto result = order_values(owners);
    EXPECT_TRUE(result.errors.empty());
    const auto position = [&](ValueRef r) {
        return std::find(result.order.begin(), result.order.end(), r) - result.order.begin();
    };
    ASSERT_EQ(result.order.size(), 5U);             // status has no generator
    EXPECT_LT(position({1, 0}), position({0, 1}));  // ac_power before meter.power
    EXPECT_LT(position({2, 0}), position({0, 1}));  // load before meter.power
    EXPECT_LT(position({2, 1}), position({2, 0}));  // base before load
    EXPECT_LT(position({0, 1}), position({0, 0}));  // power before its phase
}

TEST(ValueOrder, ReportsNamesThatNameNothingAndCycles) {
    const GeneratorSpec a = derived({{"b"}});
    const GeneratorSpec b = derived({{"a"}, {"nowhere.x"}, {"meter.volts"}, {"ghost"}});
    std::vector<ValueOwner> owners{{"meter", {"a", "b"}, {&a, &b}}, {"", {}, {}}};
    const auto result = order_values(owners);
    std::vector<std::string> messages;
    for (const auto& e : result.errors) messages.push_back(e.message);
    EXPECT_EQ(messages, (std::vector<std::string>{
                            "no device named \"nowhere\" (in \"nowhere.x\")",
                            "device \"meter\" has no point \"volts\"",
                            "no point of \"meter\" and no signal named \"ghost\" (another "
                            "device's point: \"device.point\")",
                            "values derived from each other: meter.a → meter.b → meter.a",
                        }));
    EXPECT_EQ(result.order.size(), 2U);  // still every value, once
}

const std::string two_devices_head = R"({
  "signals": { "load": { "generator": "constant", "value": 500 } },
  "devices": [
    { "name": "meter", "unit": 2, "profile": "eastron/sdm630", "points": {)";
const std::string two_devices_tail = R"( } },
    { "name": "inverter", "unit": 1, "profile": "growatt/min-tl-x",
      "points": { "ac_power": { "generator": "solar", "peak": 3000 } } } ] })";

TEST(DerivedConfig, ErrorsNameTheFileAndTheTermsField) {
    test::SimJsonFile f;
    const auto errors = [&](const std::string& points) {
        return f.errors(two_devices_head + points + two_devices_tail);
    };
    EXPECT_EQ(errors(R"("power": { "generator": "derived", "terms": [ { "point": "lod" } ] })"),
              std::vector<std::string>{"/devices/0/points/power/terms/0/point: no point of "
                                       "\"meter\" and no signal named \"lod\" (another device's "
                                       "point: \"device.point\")"});
    EXPECT_EQ(errors(R"("power": { "generator": "derived", "terms": [ { "point": "load" },
                 { "point": "inverterr.ac_power", "factor": -1 } ] })"),
              std::vector<std::string>{"/devices/0/points/power/terms/1/point: no device named "
                                       "\"inverterr\" (in \"inverterr.ac_power\")"});
    EXPECT_EQ(errors(R"("power": { "generator": "derived", "terms": [ { "point": "power_l1" } ] },
                  "power_l1": { "generator": "derived", "terms": [ { "point": "power" } ] })"),
              std::vector<std::string>{"/devices/0/points/power: values derived from each other: "
                                       "meter.power_l1 → meter.power → meter.power_l1"});
    EXPECT_EQ(errors(R"("power": { "generator": "derived" })"),
              std::vector<std::string>{"/devices/0/points/power: a derived value needs \"terms\": "
                                       "a non-empty list of {\"point\": …, \"factor\": …}"});
    EXPECT_EQ(errors(R"("power": { "generator": "derived", "terms": [ { "pont": "load" } ] })"),
              (std::vector<std::string>{
                  "/devices/0/points/power/terms/0: a term needs \"point\": a point of this "
                  "device, \"device.point\" or a signal",
                  "/devices/0/points/power/terms/0/pont: unknown key \"pont\" (expected point, "
                  "factor)"}));
}

TEST(DerivedConfig, ADeviceReadsALaterDevicesValueOfTheSameRefresh) {
    test::SimJsonFile f;
    auto loaded = f.load(two_devices_head + R"(
        "power": { "generator": "derived",
                   "terms": [ { "point": "load" }, { "point": "inverter.ac_power", "factor": -1 } ],
                   "offset": 10 })" +
                         two_devices_tail);
    ASSERT_TRUE(loaded.config) << (loaded.diagnostics.errors().empty()
                                       ? ""
                                       : loaded.diagnostics.errors().front());
    SimTime now = SimTime{} + std::chrono::days(19800) + std::chrono::hours(7);
    SimulationOptions options;
    options.clock = [&] { return now; };
    options.zone = LocalZone{};
    boost::asio::io_context io;
    Simulation sim(io, std::move(*loaded.config), options);
    ASSERT_TRUE(sim.prepare().empty());
    for (int minutes = 0; minutes < 6 * 60; minutes += 30) {
        now += std::chrono::minutes(30);
        ASSERT_TRUE(sim.refresh().empty());
        const auto snap = sim.snapshot();
        const double pv = snap["devices"][1]["values"]["ac_power"].get<double>();
        const double meter = snap["devices"][0]["values"]["power"].get<double>();
        EXPECT_GT(pv, 0);
        EXPECT_NEAR(meter, 10 + 500 - pv, 0.1) << minutes;  // this refresh's pv, not the last
        EXPECT_EQ(snap["signals"]["load"].get<double>(), 500);
    }
}

}  // namespace
}  // namespace regpoll::sim
