// Generators in virtual time: a whole day in a loop, no sleeping.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "sim/generators.hpp"

namespace regpoll::sim {
namespace {

using namespace std::chrono_literals;

// Local midnight of some day in 2024 (UTC zone unless a test says otherwise), plus hours.
SimTime at(double hours, int day = 0) {
    const SimTime midnight = SimTime{} + std::chrono::days(19800 + day);
    return midnight + std::chrono::duration_cast<SimClock::duration>(
                          std::chrono::duration<double, std::ratio<3600>>(hours));
}

double number(const codec::Value& v) {
    const auto d = codec::to_double(v);
    EXPECT_TRUE(d.has_value());
    return d.value_or(std::nan(""));
}

RandomSource seeded(std::uint64_t seed) {
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return std::generate_canonical<double, 53>(*engine); };
}

GeneratorSpec solar(double peak) {
    GeneratorSpec s;
    s.kind = GeneratorKind::solar;
    s.peak = peak;
    return s;
}

TEST(SolarGenerator, IsZeroAtNightAndPeaksAtNoon) {
    auto g = make_generator(solar(3000), {});
    for (double h : {0.0, 3.0, 5.99, 6.0, 18.0, 18.5, 23.9})
        EXPECT_EQ(number(g->next(at(h))), 0.0) << h << "h";
    EXPECT_NEAR(number(g->next(at(12.0))), 3000.0, 1e-9);
    const double morning = number(g->next(at(9.0)));
    const double afternoon = number(g->next(at(15.0)));
    EXPECT_NEAR(morning, afternoon, 1e-9);  // symmetric around noon
    EXPECT_GT(morning, 0.0);
    EXPECT_LT(morning, 3000.0);
}

TEST(SolarGenerator, RisesUntilNoonThenFalls) {
    auto g = make_generator(solar(5000), {});
    double last = -1;
    for (double h = 6.0; h <= 12.0; h += 0.25) {
        const double p = number(g->next(at(h)));
        EXPECT_GT(p, last) << h << "h";
        last = p;
    }
    for (double h = 12.25; h <= 18.0; h += 0.25) {
        const double p = number(g->next(at(h)));
        EXPECT_LT(p, last) << h << "h";
        last = p;
    }
}

TEST(SolarGenerator, FollowsTheLocalZone) {
    GeneratorContext context;
    context.zone.utc_offset = 2h;  // 10:00 UTC is noon here
    auto g = make_generator(solar(1000), context);
    EXPECT_NEAR(number(g->next(at(10.0))), 1000.0, 1e-9);
    EXPECT_EQ(number(g->next(at(16.5))), 0.0);  // 18:30 local
}

TEST(SolarGenerator, NoiseStaysWithinItsFraction) {
    GeneratorSpec s = solar(3000);
    s.noise = 0.1;
    auto noisy = make_generator(s, {LocalZone{}, seeded(7), {}, {}});
    auto clean = make_generator(solar(3000), {});
    double lowest = 2;
    double highest = 0;
    for (int i = 0; i < 1000; ++i) {
        const SimTime t = at(12.0) + std::chrono::seconds(i);
        const double ratio = number(noisy->next(t)) / number(clean->next(t));
        lowest = std::min(lowest, ratio);
        highest = std::max(highest, ratio);
    }
    EXPECT_GE(lowest, 0.9);
    EXPECT_LE(highest, 1.1);
    EXPECT_GT(highest - lowest, 0.1);  // it does move
}

GeneratorSpec energy(double start, double factor, bool daily = false) {
    GeneratorSpec s;
    s.kind = GeneratorKind::energy;
    s.source = "power";
    s.start = start;
    s.factor = factor;
    s.daily = daily;
    return s;
}

TEST(EnergyGenerator, IntegratesConstantPower) {
    double power = 1000;  // W
    auto g = make_generator(energy(10, 0.001),
                            {LocalZone{}, {}, [&] { return std::optional<double>(power); }, {}});
    EXPECT_EQ(number(g->next(at(10.0))), 10.0);  // starts at `start`
    double kwh = 0;
    for (int s = 1; s <= 3600; ++s) kwh = number(g->next(at(10.0) + std::chrono::seconds(s)));
    EXPECT_NEAR(kwh, 11.0, 1e-9);  // 1 kW for an hour
}

TEST(EnergyGenerator, IntegratesTheSolarCurveOverADay) {
    auto sun = make_generator(solar(3000), {});
    double power = 0;
    auto g = make_generator(energy(0, 0.001),
                            {LocalZone{}, {}, [&] { return std::optional<double>(power); }, {}});
    double kwh = 0;
    double last = -1;
    for (int minute = 0; minute <= 24 * 60; ++minute) {
        const SimTime t = at(0) + std::chrono::minutes(minute);
        power = number(sun->next(t));
        kwh = number(g->next(t));
        EXPECT_GE(kwh, last);  // a counter never runs backwards
        last = kwh;
    }
    // ∫ peak·sin over 12 h = peak · 12 h · 2/π
    EXPECT_NEAR(kwh, 3.0 * 12 * 2 / std::numbers::pi, 0.01);
}

TEST(EnergyGenerator, DailyCounterResetsAtLocalMidnight) {
    double power = 2000;
    GeneratorContext context{
        LocalZone{std::chrono::hours(1)}, {}, [&] { return std::optional<double>(power); }, {}};
    auto g = make_generator(energy(0, 0.001, true), context);
    g->next(at(20.0));                                // 21:00 local
    const double before = number(g->next(at(22.5)));  // 23:30 local
    EXPECT_NEAR(before, 5.0, 1e-9);                   // 2 kW for 2.5 h
    EXPECT_EQ(number(g->next(at(23.25))), 0.0);       // 00:15 local, the next day
    EXPECT_NEAR(number(g->next(at(23.75))), 1.0, 1e-9);
}

TEST(EnergyGenerator, IgnoresNegativePowerAndAMissingSource) {
    std::optional<double> power = -500.0;
    auto g = make_generator(energy(3, 1), {LocalZone{}, {}, [&] { return power; }, {}});
    g->next(at(1));
    EXPECT_EQ(number(g->next(at(2))), 3.0);
    power.reset();
    EXPECT_EQ(number(g->next(at(3))), 3.0);
}

TEST(RandomWalkGenerator, StartsAtNominalAndStaysWithinFivePercent) {
    GeneratorSpec s;
    s.kind = GeneratorKind::random_walk;
    s.nominal = 230;
    auto g = make_generator(s, {LocalZone{}, seeded(1), {}, {}});
    EXPECT_EQ(number(g->next(at(0))), 230.0);
    double lowest = 230;
    double highest = 230;
    for (int i = 1; i < 100000; ++i) {
        const double v = number(g->next(at(0) + std::chrono::seconds(i)));
        lowest = std::min(lowest, v);
        highest = std::max(highest, v);
    }
    EXPECT_GE(lowest, 230 * 0.95);
    EXPECT_LE(highest, 230 * 1.05);
    EXPECT_GT(highest - lowest, 5.0);  // and it walks
}

TEST(RandomWalkGenerator, SameSeedSameWalk) {
    GeneratorSpec s;
    s.kind = GeneratorKind::random_walk;
    s.nominal = 50;
    auto a = make_generator(s, {LocalZone{}, seeded(42), {}, {}});
    auto b = make_generator(s, {LocalZone{}, seeded(42), {}, {}});
    for (int i = 0; i < 100; ++i) {
        const SimTime t = at(0) + std::chrono::seconds(i);
        EXPECT_EQ(number(a->next(t)), number(b->next(t)));
    }
}

TEST(RandomWalkGenerator, MinAndMaxClamp) {
    GeneratorSpec s;
    s.kind = GeneratorKind::random_walk;
    s.nominal = 0.98;
    s.spread = 0.05;
    s.step = 0.05;
    s.max = 1.0;
    auto g = make_generator(s, {LocalZone{}, seeded(3), {}, {}});
    for (int i = 0; i < 10000; ++i)
        EXPECT_LE(number(g->next(at(0) + std::chrono::seconds(i))), 1.0);
}

TEST(CounterGenerator, CountsFromItsFirstCallAndIsMonotonic) {
    GeneratorSpec s;
    s.kind = GeneratorKind::counter;
    s.start = 5;
    s.rate = 2;
    auto g = make_generator(s, {});
    EXPECT_EQ(number(g->next(at(8))), 5.0);
    EXPECT_EQ(number(g->next(at(8) + 10s)), 25.0);
    double last = 25;
    for (int i = 11; i < 1000; i += 7) {
        const double v = number(g->next(at(8) + std::chrono::seconds(i)));
        EXPECT_GT(v, last);
        last = v;
    }
}

TEST(CycleGenerator, GoesThroughTheValuesInTurn) {
    GeneratorSpec s;
    s.kind = GeneratorKind::cycle;
    s.values = {std::int64_t{0}, std::int64_t{1}, std::string("fault")};
    s.period = 10s;
    auto g = make_generator(s, {});
    EXPECT_EQ(g->next(at(0)), codec::Value(std::int64_t{0}));
    EXPECT_EQ(g->next(at(0) + 9999ms), codec::Value(std::int64_t{0}));
    EXPECT_EQ(g->next(at(0) + 10s), codec::Value(std::int64_t{1}));
    EXPECT_EQ(g->next(at(0) + 20s), codec::Value(std::string("fault")));
    EXPECT_EQ(g->next(at(0) + 30s), codec::Value(std::int64_t{0}));
}

TEST(ConstantGenerator, HoldsNumbersTextsAndBools) {
    GeneratorSpec s;
    s.value = std::string("SunS");
    EXPECT_EQ(make_generator(s, {})->next(at(1)), codec::Value(std::string("SunS")));
    s.value = true;
    s.min = 5.0;  // clamps numbers only
    EXPECT_EQ(make_generator(s, {})->next(at(1)), codec::Value(true));
    s.value = 1.5;
    EXPECT_EQ(make_generator(s, {})->next(at(1)), codec::Value(5.0));
}

TEST(UnavailableGenerator, IsNotAvailable) {
    GeneratorSpec s;
    s.kind = GeneratorKind::unavailable;
    EXPECT_FALSE(codec::is_available(make_generator(s, {})->next(at(1))));
}

TEST(LocalZone, HoursAndDaysFollowTheOffset) {
    const LocalZone utc{};
    const LocalZone minus5{std::chrono::hours(-5)};
    EXPECT_NEAR(utc.hours(at(3.5)), 3.5, 1e-9);
    EXPECT_NEAR(minus5.hours(at(3.5)), 22.5, 1e-9);
    EXPECT_EQ(minus5.day(at(3.5)), utc.day(at(3.5)) - 1);
}

TEST(GeneratorSpec, NamesRoundTripAndDescribe) {
    for (auto kind : {GeneratorKind::constant, GeneratorKind::random_walk, GeneratorKind::solar,
                      GeneratorKind::energy, GeneratorKind::counter, GeneratorKind::cycle,
                      GeneratorKind::unavailable}) {
        EXPECT_EQ(parse_generator_kind(generator_kind_name(kind)), kind);
    }
    EXPECT_FALSE(parse_generator_kind("sine"));
    EXPECT_EQ(describe(solar(3000)), "solar peak 3000 (6h-18h)");
}

}  // namespace
}  // namespace regpoll::sim
