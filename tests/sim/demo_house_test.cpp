// A compressed day ("day_length") in virtual time, and the house `make demo` simulates
// (config/demo.sim.json): the meter shows load minus PV, its phases add up to the total,
// the inverter's AC is its DC times the efficiency, through a whole day.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "sim/simulation.hpp"
#include "sim_json_file.hpp"

namespace regpoll::sim {
namespace {

using namespace std::chrono_literals;

const SimTime midnight = SimTime{} + std::chrono::days(19800);  // local midnight, UTC zone

class VirtualSite {
  public:
    explicit VirtualSite(SimConfig config) {
        SimulationOptions options;
        options.clock = [this] { return now_; };
        options.zone = LocalZone{};
        sim_ = std::make_unique<Simulation>(io_, std::move(config), options);
        const auto problems = sim_->prepare();
        EXPECT_TRUE(problems.empty()) << problems.front();
    }

    // The snapshot after the real clock moved on to `real` since the start.
    nlohmann::ordered_json at(std::chrono::milliseconds real) {
        now_ = midnight + real;
        const auto problems = sim_->refresh();
        EXPECT_TRUE(problems.empty()) << problems.front();
        return sim_->snapshot();
    }

  private:
    boost::asio::io_context io_;
    SimTime now_ = midnight;
    std::unique_ptr<Simulation> sim_;
};

double value(const nlohmann::ordered_json& snap, std::size_t device, const char* point) {
    return snap["devices"][device]["values"][point].get<double>();
}

TEST(DayLength, AWholeSolarDayPassesWithinDayLength) {
    test::SimJsonFile f;
    auto loaded = f.load(R"({ "day_length": "10m", "devices": [
        { "name": "inverter", "unit": 1, "profile": "growatt/min-tl-x",
          "points": { "ac_power": { "generator": "solar", "peak": 3000 } } } ] })");
    ASSERT_TRUE(loaded.config);
    ASSERT_EQ(loaded.config->day_length, std::chrono::milliseconds(10min));
    VirtualSite site(std::move(*loaded.config));
    double energy_before_midnight = 0;
    for (auto real = 5s; real <= 605s; real += 5s) {
        const auto snap = site.at(real);
        const double hours = static_cast<double>(real.count()) * 24 / 600;  // 144 x real time
        EXPECT_EQ(snap["ts"].get<std::int64_t>(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      (midnight + real * 144).time_since_epoch())
                      .count());
        const double pv = value(snap, 0, "ac_power");
        if (hours <= 6 || hours >= 18) {  // and into the next night
            EXPECT_EQ(pv, 0) << hours << " h";
        } else {
            EXPECT_GT(pv, 0) << hours << " h";
        }
        if (hours == 12) {
            EXPECT_NEAR(pv, 3000, 0.1);
        }
        if (real == 595s) energy_before_midnight = value(snap, 0, "energy_today");
        if (real == 605s) {
            EXPECT_EQ(value(snap, 0, "energy_today"), 0) << "a new day";
        }
    }
    // 3 kW peak over 12 h of sine: 36 kWh x 2/pi, integrated in simulated hours.
    EXPECT_NEAR(energy_before_midnight, 36 * 2 / 3.14159265, 0.5);
}

TEST(DayLength, MustBeLongerThanZero) {
    test::SimJsonFile f;
    EXPECT_EQ(f.errors(R"({ "day_length": "0s", "devices": [
        { "unit": 1, "profile": "growatt/min-tl-x" } ] })"),
              std::vector<std::string>{
                  "/day_length: a simulated day must last longer than 0 (e.g. \"10m\")"});
}

TEST(DemoHouse, MeterShowsLoadMinusPvAndPhasesAddUp) {
    test::SimJsonFile f;
    auto loaded = f.load_file(std::string(REGPOLL_SOURCE_DIR) + "/config/demo.sim.json");
    ASSERT_TRUE(loaded.config) << (loaded.diagnostics.errors().empty()
                                       ? ""
                                       : loaded.diagnostics.errors().front());
    ASSERT_EQ(loaded.config->devices.at(0).name, "inverter");
    ASSERT_EQ(loaded.config->devices.at(1).name, "meter");
    VirtualSite site(std::move(*loaded.config));
    const auto first = site.at(1s);
    double most_export = 0;
    double most_import = 0;
    nlohmann::ordered_json snap;
    for (auto real = 10s; real <= 600s; real += 10s) {  // a whole simulated day
        snap = site.at(real);
        const double pv_dc = value(snap, 0, "pv_power");
        const double pv_ac = value(snap, 0, "ac_power");
        const double load = snap["signals"]["load"].get<double>();
        const double power = value(snap, 1, "power");
        const std::string when = std::to_string(real.count() * 24.0 / 600) + " h";
        EXPECT_NEAR(power, load - pv_ac, 0.5) << when;
        EXPECT_NEAR(
            value(snap, 1, "power_l1") + value(snap, 1, "power_l2") + value(snap, 1, "power_l3"),
            power, 0.5)
            << when;
        if (pv_dc > 100) {
            EXPECT_NEAR(pv_ac / pv_dc, 0.96, 0.01) << when;
        }
        EXPECT_GT(load, 100) << when;
        EXPECT_LT(load, 4000) << when;
        for (const char* thd : {"thd_voltage_l1", "thd_current_l3", "thd_voltage_average"}) {
            EXPECT_GE(value(snap, 1, thd), 1) << thd;
            EXPECT_LE(value(snap, 1, thd), 6) << thd;
        }
        // Apparent power is |P| / 0.97 on each phase, the current that at 230 V.
        for (const char* l : {"l1", "l2", "l3"}) {
            const std::string phase = l;
            const double p = value(snap, 1, ("power_" + phase).c_str());
            const double s = value(snap, 1, ("apparent_power_" + phase).c_str());
            EXPECT_NEAR(s, std::abs(p) / 0.97, 0.5) << phase << " at " << when;
            EXPECT_NEAR(value(snap, 1, ("current_" + phase).c_str()), s / 230, 0.002) << phase << " at " << when;
            EXPECT_NEAR(value(snap, 1, ("power_factor_" + phase).c_str()), 0.97, 0.01) << phase;
        }
        EXPECT_GE(value(snap, 1, "power_factor"), 0.9);
        EXPECT_LE(value(snap, 1, "power_factor"), 1.0);
        most_export = std::min(most_export, power);
        most_import = std::max(most_import, power);
    }
    EXPECT_LT(most_export, -1500);  // noon: the roof feeds the grid
    EXPECT_GT(most_import, 300);    // evening: the house draws from it
    // Over the day both counters moved, by plausible amounts (kWh).
    const double imported = value(snap, 1, "import_energy") - value(first, 1, "import_energy");
    const double exported = value(snap, 1, "export_energy") - value(first, 1, "export_energy");
    EXPECT_GT(imported, 2);
    EXPECT_LT(imported, 20);
    EXPECT_GT(exported, 5);
    EXPECT_LT(exported, 30);
}

}  // namespace
}  // namespace regpoll::sim
