// Deadband, store-on-change and heartbeat in virtual time: the samples' own timestamps.
#include "sink/history_filter.hpp"

#include <cmath>
#include <deque>
#include <limits>

#include <gtest/gtest.h>

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using Kind = StoredValue::Kind;

StoredValue real(double d) {
    return to_stored(codec::Value(d), poll::Quality::good);
}
StoredValue integer(std::int64_t i) {
    return to_stored(codec::Value(i), poll::Quality::good);
}
StoredValue text(const std::string& s) {
    static std::deque<codec::Value> kept;  // a StoredValue views the text of its value
    return to_stored(kept.emplace_back(s), poll::Quality::good);
}
StoredValue unavailable() {
    return to_stored(codec::Value(), poll::Quality::unavailable);
}

// The timestamps (seconds) at which `values` are stored, one sample per second from 0.
std::vector<int> stored_at(SampleFilter filter, std::vector<StoredValue> values) {
    std::vector<int> out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (filter.admit(values[i], static_cast<std::int64_t>(i) * 1000))
            out.push_back(static_cast<int>(i));
    }
    return out;
}

TEST(HistoryValue, HowEachValueTypeIsStored) {
    EXPECT_EQ(to_stored(codec::Value(true), poll::Quality::good).kind, Kind::boolean);
    EXPECT_EQ(to_stored(codec::Value(true), poll::Quality::good).integer, 1);
    EXPECT_EQ(integer(-5).integer, -5);
    EXPECT_EQ(to_stored(codec::Value(std::uint64_t{42}), poll::Quality::good).integer, 42);
    const auto big =
        to_stored(codec::Value(std::numeric_limits<std::uint64_t>::max()), poll::Quality::good);
    EXPECT_EQ(big.kind, Kind::real);
    EXPECT_DOUBLE_EQ(big.real, 18446744073709551615.0);
    EXPECT_EQ(real(1.5).kind, Kind::real);
    EXPECT_EQ(real(std::nan("")).text, "nan");
    EXPECT_EQ(real(-INFINITY).text, "-inf");
    EXPECT_EQ(text("SN123").text, "SN123");
    EXPECT_EQ(unavailable().kind, Kind::null);
    // A value with the quality "unavailable" is stored as not available, whatever it holds.
    EXPECT_EQ(to_stored(codec::Value(1.0), poll::Quality::unavailable).kind, Kind::null);
}

TEST(SampleFilter, WithoutARuleEverySampleIsStored) {
    EXPECT_EQ(stored_at(SampleFilter(nullptr), {real(1), real(1), real(1)}),
              (std::vector{0, 1, 2}));
    HistoryRule plain;
    plain.point = "x";
    EXPECT_EQ(stored_at(SampleFilter(&plain), {real(1), real(1)}), (std::vector{0, 1}));
}

TEST(SampleFilter, StoreFalseStoresNothing) {
    HistoryRule none;
    none.store = false;
    EXPECT_TRUE(stored_at(SampleFilter(&none), {real(1), real(2)}).empty());
}

TEST(SampleFilter, OnChangeStoresTheFirstAndEveryChange) {
    HistoryRule rule;
    rule.on_change = true;
    EXPECT_EQ(stored_at(SampleFilter(&rule), {real(1), real(1), real(2), real(2), real(1)}),
              (std::vector{0, 2, 4}));
    EXPECT_EQ(stored_at(SampleFilter(&rule), {text("a"), text("a"), text("b")}),
              (std::vector{0, 2}));
    EXPECT_EQ(stored_at(SampleFilter(&rule), {integer(7), integer(7), integer(8)}),
              (std::vector{0, 2}));
}

TEST(SampleFilter, OnChangeTellsLargeIntegersApart) {
    HistoryRule rule;
    rule.on_change = true;
    const std::int64_t big = (std::int64_t{1} << 60);
    EXPECT_EQ(stored_at(SampleFilter(&rule), {integer(big), integer(big + 1)}),
              (std::vector{0, 1}));
}

TEST(SampleFilter, DeadbandComparesWithTheLastStoredValue) {
    HistoryRule rule;
    rule.deadband = 5;
    // 100 stored; 104 and 105 are within 5 of it, 105.5 is not; 101 is within 5 of 105.5, 100 is
    // not. A slow drift is caught, not lost: the reference is the stored value, not the previous
    // sample.
    EXPECT_EQ(stored_at(SampleFilter(&rule),
                        {real(100), real(104), real(105), real(105.5), real(101), real(100)}),
              (std::vector{0, 3, 5}));
    EXPECT_EQ(stored_at(SampleFilter(&rule),
                        {real(0), real(1), real(2), real(3), real(4), real(5), real(6)}),
              (std::vector{0, 6}));
}

TEST(SampleFilter, DeadbandOnTextAndBoolsMeansOnChange) {
    HistoryRule rule;
    rule.deadband = 10;
    EXPECT_EQ(stored_at(SampleFilter(&rule), {text("ok"), text("ok"), text("fault")}),
              (std::vector{0, 2}));
    // Booleans are stored as 0/1, but a deadband meant for the numbers never hides a switch.
    auto b = [](bool v) { return to_stored(codec::Value(v), poll::Quality::good); };
    EXPECT_EQ(stored_at(SampleFilter(&rule), {b(false), b(false), b(true), b(true), b(false)}),
              (std::vector{0, 2, 4}));
}

TEST(SampleFilter, AvailabilityChangesAreAlwaysStored) {
    HistoryRule rule;
    rule.deadband = 1000;
    EXPECT_EQ(
        stored_at(SampleFilter(&rule), {real(1), unavailable(), unavailable(), real(1), real(1)}),
        (std::vector{0, 1, 3}));
    EXPECT_EQ(
        stored_at(SampleFilter(&rule), {real(1), real(std::nan("")), real(std::nan("")), real(1)}),
        (std::vector{0, 1, 3}));
}

TEST(SampleFilter, HeartbeatStoresAnUnchangedValueAfterItsPeriod) {
    HistoryRule rule;
    rule.on_change = true;
    rule.heartbeat = 3s;
    // One sample a second, all equal: stored at 0, 3, 6, 9.
    std::vector<StoredValue> same(10, real(20));
    EXPECT_EQ(stored_at(SampleFilter(&rule), same), (std::vector{0, 3, 6, 9}));
    // A change restarts the period.
    EXPECT_EQ(
        stored_at(SampleFilter(&rule), {real(1), real(1), real(2), real(2), real(2), real(2)}),
        (std::vector{0, 2, 5}));
}

TEST(SampleFilter, HeartbeatWithADeadbandAndSparseSamples) {
    HistoryRule rule;
    rule.deadband = 5;
    rule.heartbeat = 15min;
    SampleFilter f(&rule);
    const std::int64_t minute = 60'000;
    EXPECT_TRUE(f.admit(real(230), 0));
    EXPECT_FALSE(f.admit(real(231), 10 * minute));
    EXPECT_FALSE(f.admit(real(229), 14 * minute + 59'999));
    EXPECT_TRUE(f.admit(real(229), 15 * minute));   // the heartbeat, with the value of the moment
    EXPECT_FALSE(f.admit(real(233), 16 * minute));  // within 5 of 229, the new reference
    EXPECT_TRUE(f.admit(real(235), 17 * minute));
}

TEST(SampleFilter, AClockSteppedBackIsStored) {
    HistoryRule rule;
    rule.on_change = true;
    rule.heartbeat = 1h;
    SampleFilter f(&rule);
    EXPECT_TRUE(f.admit(real(1), 10'000'000));
    EXPECT_TRUE(f.admit(real(1), 9'000'000));  // otherwise the heartbeat would wait 1000 s + 1 h
    EXPECT_FALSE(f.admit(real(1), 9'001'000));
}

}  // namespace
}  // namespace regpoll::sink
