#include "sink/history_time.hpp"

#include <gtest/gtest.h>

namespace regpoll::sink {
namespace {

constexpr std::int64_t now = 1'795'000'000'000;    // 2026-11-18T...
constexpr std::int64_t nov20 = 1'795'132'800'000;  // 2026-11-20T00:00:00Z

std::int64_t at(const std::string& text) {
    auto t = parse_time_point(text, now);
    EXPECT_TRUE(t) << text << ": " << (t ? "" : t.error());
    return t ? *t : 0;
}

TEST(HistoryTime, DurationsCountBackFromNow) {
    EXPECT_EQ(at("now"), now);
    EXPECT_EQ(at("1h"), now - 3'600'000);
    EXPECT_EQ(at("90s"), now - 90'000);
    EXPECT_EQ(at("7d"), now - 7 * 86'400'000LL);
}

TEST(HistoryTime, Iso8601InUtcUnlessAnOffsetIsGiven) {
    EXPECT_EQ(at("2026-11-20"), nov20);
    EXPECT_EQ(at("2026-11-20T10:00"), nov20 + 36'000'000);
    EXPECT_EQ(at("2026-11-20T10:00:00Z"), nov20 + 36'000'000);
    EXPECT_EQ(at("2026-11-20 10:00:00"), nov20 + 36'000'000);
    EXPECT_EQ(at("2026-11-20T10:00:00.25Z"), nov20 + 36'000'250);
    EXPECT_EQ(at("2026-11-20T10:00:00.123456Z"), nov20 + 36'000'123);
    EXPECT_EQ(at("2026-11-20T11:00:00+01:00"), nov20 + 36'000'000);
    EXPECT_EQ(at("2026-11-20T05:30:00-0430"), nov20 + 36'000'000);
    EXPECT_EQ(at("2026-11-20T12:00+02"), nov20 + 36'000'000);
    EXPECT_EQ(at("1970-01-01T00:00:00Z"), 0);
}

TEST(HistoryTime, RefusesWhatIsNotATime) {
    for (const char* bad :
         {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-20T25:00", "2026-11-20T10",
          "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00+1", "500", "20261120"}) {
        auto t = parse_time_point(bad, now);
        EXPECT_FALSE(t) << bad;
    }
    EXPECT_EQ(parse_time_point("soon", now).error(),
              "\"soon\" is not a time (expected a duration back from now such as 1h or 7d, "
              "\"now\", or an ISO 8601 "
              "time such as 2026-11-20T10:00:00Z)");
}

TEST(HistoryTime, FormatsUtcWithMilliseconds) {
    EXPECT_EQ(format_time_utc(nov20 + 36'000'250), "2026-11-20T10:00:00.250Z");
    EXPECT_EQ(format_time_utc(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(at(format_time_utc(1'763'632'800'123)), 1'763'632'800'123);
}

}  // namespace
}  // namespace regpoll::sink
