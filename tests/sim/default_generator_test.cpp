// The generator each point gets from its profile fields, and every shipped profile
// simulated through a day without a value the registers cannot hold.
#include <gtest/gtest.h>

#include <filesystem>

#include "profile/profile_loader.hpp"
#include "sim/default_generator.hpp"
#include "sim/sim_device.hpp"
#include "sim_test_support.hpp"

namespace regpoll::sim {
namespace {

using test::point;

profile::Point with_class(std::string name, std::string device_class, std::string state_class,
                          std::string unit) {
    profile::Point p = point(std::move(name), 0, codec::Type::int32);
    p.device_class = std::move(device_class);
    p.state_class = std::move(state_class);
    p.unit = std::move(unit);
    return p;
}

GeneratorSpec pick(const profile::Point& p, const std::vector<profile::Point>& all = {}) {
    return default_generator(p, all.empty() ? std::vector<profile::Point>{p} : all,
                             DeviceFacts{"Acme", "X1", 3});
}

TEST(DefaultGenerator, PowerFollowsTheSun) {
    auto s = pick(with_class("ac_power", "power", "measurement", "W"));
    EXPECT_EQ(s.kind, GeneratorKind::solar);
    EXPECT_EQ(s.peak, 3000.0);
    EXPECT_EQ(pick(with_class("ac_power", "power", "measurement", "kW")).peak, 3.0);
    auto limited = with_class("ac_power", "power", "measurement", "W");
    limited.max = 600;
    EXPECT_EQ(pick(limited).peak, 600.0);
    EXPECT_EQ(pick(with_class("rated_power", "power", "measurement", "W")).kind,
              GeneratorKind::constant);
}

TEST(DefaultGenerator, EnergyIntegratesTheDevicesPowerPoint) {
    const std::vector<profile::Point> all{
        with_class("pv_power", "power", "measurement", "W"),
        with_class("ac_power", "power", "measurement", "W"),
        with_class("energy_total", "energy", "total", "kWh"),
        with_class("energy_today", "energy", "total_increasing", "Wh")};
    auto total = pick(all[2], all);
    EXPECT_EQ(total.kind, GeneratorKind::energy);
    EXPECT_EQ(total.source, "ac_power");  // preferred over the first power point
    EXPECT_DOUBLE_EQ(total.factor, 0.001);
    EXPECT_FALSE(total.daily);
    EXPECT_GT(total.start, 0.0);
    auto today = pick(all[3], all);
    EXPECT_TRUE(today.daily);
    EXPECT_EQ(today.start, 0.0);
    EXPECT_DOUBLE_EQ(today.factor, 1.0);
    // no power point: a counter
    EXPECT_EQ(pick(with_class("import_energy", "energy", "total", "kWh")).kind,
              GeneratorKind::counter);
}

TEST(DefaultGenerator, StatusWithAMapCyclesThroughItsKeys) {
    auto status = point("status", 0);
    status.map = {{0, "waiting"}, {1, "normal"}, {3, "fault"}};
    auto s = pick(status);
    EXPECT_EQ(s.kind, GeneratorKind::cycle);
    EXPECT_EQ(s.values,
              (std::vector<codec::Value>{std::int64_t{0}, std::int64_t{1}, std::int64_t{3}}));
    auto switch_point = point("on_off", 0);
    switch_point.map = {{0, "off"}, {1, "on"}};
    auto c = pick(switch_point);
    EXPECT_EQ(c.kind, GeneratorKind::constant);
    EXPECT_EQ(c.value, codec::Value(std::int64_t{0}));
}

TEST(DefaultGenerator, MeasurementsWalkAroundTheirNominalValues) {
    const auto nominal = [](const std::string& name, const std::string& dc,
                            const std::string& unit) {
        auto s = pick(with_class(name, dc, "measurement", unit));
        EXPECT_EQ(s.kind, GeneratorKind::random_walk) << name;
        EXPECT_EQ(s.spread, 0.05) << name;
        return s.nominal;
    };
    EXPECT_EQ(nominal("voltage", "voltage", "V"), 230.0);
    EXPECT_EQ(nominal("voltage_l1_l2", "voltage", "V"), 400.0);
    EXPECT_EQ(nominal("pv1_voltage", "voltage", "V"), 350.0);
    EXPECT_EQ(nominal("grid_frequency", "frequency", "Hz"), 50.0);
    EXPECT_EQ(nominal("inverter_temperature", "temperature", "°C"), 35.0);
    EXPECT_EQ(nominal("current", "current", "A"), 5.0);
    EXPECT_EQ(nominal("power_factor", "power_factor", ""), 0.98);
    EXPECT_EQ(pick(with_class("power_factor", "power_factor", "measurement", "")).max, 1.0);
}

// Regression (issue 16): an SDM630's THD had no device class and walked around 50 %.
TEST(DefaultGenerator, HarmonicDistortionIsAFewPerCent) {
    for (const char* name : {"thd_voltage_l1", "thd_current_l2", "thd_voltage_average"}) {
        auto s = pick(with_class(name, "", "measurement", "%"));
        EXPECT_EQ(s.kind, GeneratorKind::random_walk) << name;
        EXPECT_GE(s.nominal * (1 - s.spread), 1.0) << name;
        EXPECT_LE(s.nominal * (1 + s.spread), 6.0) << name;
    }
}

TEST(DefaultGenerator, OtherPointsAreConstantMidOfMinMaxOrDistinct) {
    auto limited = point("setpoint", 0);
    limited.min = 0;
    limited.max = 100;
    EXPECT_EQ(pick(limited).value, codec::Value(50.0));
    const auto a = pick(point("model_code", 0, codec::Type::uint32));
    const auto b = pick(point("device_type_code", 2, codec::Type::uint32));
    EXPECT_EQ(a.kind, GeneratorKind::constant);
    EXPECT_NE(a.value, b.value);
    EXPECT_GT(std::get<std::int64_t>(a.value), 65535);  // uses both words
    EXPECT_EQ(pick(point("fault_code", 0)).value, codec::Value(std::int64_t{0}));
}

TEST(DefaultGenerator, BitsAlternateAndTextsDescribeTheDevice) {
    auto coil = point("relay1", 1);
    coil.kind = modbus::RegisterKind::coil;
    coil.format.type = codec::Type::boolean;
    EXPECT_EQ(pick(coil).value, codec::Value(true));
    coil.address = 2;
    EXPECT_EQ(pick(coil).value, codec::Value(false));
    auto text = point("serial_number", 0, codec::Type::string);
    text.format.length = 5;
    EXPECT_EQ(pick(text).value, codec::Value(std::string("SIM1003")));
    text.name = "model_name";
    EXPECT_EQ(pick(text).value, codec::Value(std::string("X1")));
    text.name = "sunspec_id";
    EXPECT_EQ(pick(text).value, codec::Value(std::string("SunS")));
}

TEST(DefaultGenerator, EnergyFactorConvertsUnits) {
    EXPECT_DOUBLE_EQ(energy_factor("W", "kWh"), 0.001);
    EXPECT_DOUBLE_EQ(energy_factor("kW", "kWh"), 1.0);
    EXPECT_DOUBLE_EQ(energy_factor("W", "Wh"), 1.0);
    EXPECT_DOUBLE_EQ(energy_factor("W", "MWh"), 1e-6);
    EXPECT_DOUBLE_EQ(energy_factor("var", "kvarh"), 0.001);
    EXPECT_DOUBLE_EQ(energy_factor("", "kWh"), 1.0);
}

// Every shipped profile: default generators through a day, in virtual time. Every value
// can be written, and none comes out "not available" unless asked.
TEST(DefaultGenerator, EveryShippedProfileSimulatesThroughADay) {
    profile::ProfileLibrary library({std::string(REGPOLL_SOURCE_DIR) + "/devices"});
    const auto files = library.list_files();
    ASSERT_GE(files.size(), 10U);
    for (const auto& file : files) {
        profile::Diagnostics diag;
        auto loaded = profile::load_profile(file, diag);
        ASSERT_TRUE(loaded) << file;
        DeviceSpec spec;
        spec.name = "dev";
        spec.profile = std::make_shared<const profile::Profile>(std::move(*loaded));
        SimDevice device(spec, LocalZone{}, 1);
        server::UnitTables tables;
        device.attach(tables);
        const SimTime midnight = SimTime{} + std::chrono::days(19800);
        for (int hour = 0; hour < 24; hour += 3) {
            std::vector<std::string> problems;
            device.refresh(midnight + std::chrono::hours(hour), tables, problems);
            EXPECT_TRUE(problems.empty()) << file << ": " << problems.front();
            const auto& intended = device.intended();
            ASSERT_EQ(intended.size(), device.points().size());
            for (std::size_t i = 0; i < intended.size(); ++i) {
                EXPECT_TRUE(codec::is_available(intended[i]))
                    << file << ": " << device.points()[i].name;
            }
            // and the poller reads back exactly that
            const auto samples = test::poll_tables(device.points(), tables, spec.profile->limits);
            for (std::size_t i = 0; i < intended.size(); ++i) {
                const auto& p = device.points()[i];
                auto it = samples.find(p.name);
                if (!p.readable) {  // write-only: never polled
                    EXPECT_EQ(it, samples.end()) << file << ": " << p.name;
                    continue;
                }
                ASSERT_NE(it, samples.end()) << file << ": " << p.name;
                const auto want = codec::to_double(intended[i]);
                const auto got = codec::to_double(it->second.value);
                if (want && got && p.precision) {
                    EXPECT_NEAR(*got, *want,
                                0.5 * std::pow(10.0, -*p.precision) + 1e-9 * std::fabs(*want))
                        << file << ": " << p.name;
                } else {
                    EXPECT_EQ(it->second.value, intended[i]) << file << ": " << p.name;
                }
            }
        }
    }
}

}  // namespace
}  // namespace regpoll::sim
