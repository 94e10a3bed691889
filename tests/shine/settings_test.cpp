// The text of the upload interval (item 4) and the clock (item 31).
#include "shine/settings.hpp"

#include <gtest/gtest.h>

namespace regpoll::shine {
namespace {

using std::chrono::milliseconds;

TEST(ShineSettings, MinutesWholeAndDecimal) {
    EXPECT_EQ(minutes_text(milliseconds(300000)), "5");
    EXPECT_EQ(minutes_text(milliseconds(30000)), "0.5");
    EXPECT_EQ(minutes_text(milliseconds(1000)), "0.0167");
    EXPECT_EQ(parse_minutes_text("5"), milliseconds(300000));
    EXPECT_EQ(parse_minutes_text("0.5"), milliseconds(30000));
    EXPECT_EQ(parse_minutes_text("0.0167"), milliseconds(1002));
    EXPECT_FALSE(parse_minutes_text(""));
    EXPECT_FALSE(parse_minutes_text("0"));
    EXPECT_FALSE(parse_minutes_text("-1"));
    EXPECT_FALSE(parse_minutes_text("5min"));
}

TEST(ShineSettings, ClockTextBothWays) {
    const RecordTime t{2023, 11, 4, 8, 52, 0};
    EXPECT_EQ(clock_text(t), "2023-11-04 08:52:00");
    EXPECT_EQ(parse_clock_text("2023-11-04 08:52:00"), t);
    EXPECT_FALSE(parse_clock_text("2023-11-04T08:52:00"));
    EXPECT_FALSE(parse_clock_text("2023-13-04 08:52:00"));
    EXPECT_FALSE(parse_clock_text("2023-11-04 08:52"));
    EXPECT_EQ(clock_seconds(RecordTime{2000, 1, 1, 1, 1, 1}), 946688461);
    EXPECT_EQ(clock_from_seconds(clock_seconds(t) + 3600 * 24 * 60), (RecordTime{2024, 1, 3, 8, 52, 0}));
}

}  // namespace
}  // namespace regpoll::shine
