#include "common/duration.hpp"

#include <gtest/gtest.h>

namespace regpoll {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesTheUnitsPeopleWrite) {
    EXPECT_EQ(*parse_duration("250ms"), 250ms);
    EXPECT_EQ(*parse_duration("10s"), 10s);
    EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(*parse_duration("5m"), 5min);
    EXPECT_EQ(*parse_duration("2h"), 2h);
    EXPECT_EQ(*parse_duration("0s"), 0ms);
}

TEST(Duration, DaysForRetentionPeriods) {
    EXPECT_EQ(*parse_duration("1d"), 24h);
    EXPECT_EQ(*parse_duration("30d"), 720h);
    EXPECT_EQ(*parse_duration("0.5d"), 12h);
    EXPECT_EQ(*parse_duration("3650d"), 87'600h);  // ten years is in range
}

TEST(Duration, RefusesWhatItCannotReadWithTheReason) {
    EXPECT_EQ(parse_duration("500").error(), "\"500\" needs a unit (ms, s, m or h)");
    EXPECT_EQ(parse_duration("5 s").error(), "\"5 s\": unknown unit \" s\" (ms, s, m or h)");
    EXPECT_EQ(parse_duration("fast").error(), "\"fast\" is not a duration (expected e.g. 250ms, 10s, 5m)");
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration(""));
}

TEST(Duration, FormatsBackInTheLargestWholeUnit) {
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(10s), "10s");
    EXPECT_EQ(format_duration(5min), "5m");
    EXPECT_EQ(format_duration(1500ms), "1500ms");
}

}  // namespace
}  // namespace regpoll
