// Receive stamps to steady-clock arrival times: stamps that cannot be right count as now.
#include "server/receive_time.hpp"

#include <gtest/gtest.h>

namespace regpoll::server::detail {
namespace {

using namespace std::chrono_literals;

TEST(ReceiveTime, AStampSomeTimeAgoIsThatLongBeforeNow) {
    const SteadyTime now = std::chrono::steady_clock::now();
    EXPECT_EQ(arrival_from_age(now, 1500us), now - 1500us);
    EXPECT_EQ(arrival_from_age(now, 0ns), now);
    EXPECT_EQ(arrival_from_age(now, 1s), now - 1s);
}

// The wall clock was set between the stamp and the read: the stamp says nothing.
TEST(ReceiveTime, AStampFromTheFutureOrOlderThanASecondCountsAsNow) {
    const SteadyTime now = std::chrono::steady_clock::now();
    EXPECT_EQ(arrival_from_age(now, -1ms), now);
    EXPECT_EQ(arrival_from_age(now, 1s + 1ns), now);
    EXPECT_EQ(arrival_from_age(now, 3600s), now);
}

}  // namespace
}  // namespace regpoll::server::detail
