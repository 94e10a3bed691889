// Scheduling in virtual time: time points are passed in, nothing sleeps.
#include "poll/schedule.hpp"

#include <gtest/gtest.h>

namespace regpoll::poll {
namespace {

using namespace std::chrono_literals;
const TimePoint t0{};

TEST(Schedule, FixedRateDeadlinesDoNotDrift) {
    // A cycle that took 300 ms of a 1 s interval: the next one is still on the grid.
    auto next = next_deadline(t0, 1s, t0 + 300ms);
    EXPECT_EQ(next.at, t0 + 1s);
    EXPECT_EQ(next.missed, 0U);
    // 1000 cycles later the grid is exact.
    TimePoint due = t0;
    for (int i = 0; i < 1000; ++i) due = next_deadline(due, 1s, due + 17ms).at;
    EXPECT_EQ(due, t0 + 1000s);
}

TEST(Schedule, LateStartsSkipMissedSlotsAndCountThem) {
    auto next = next_deadline(t0, 1s, t0 + 3500ms);
    EXPECT_EQ(next.at, t0 + 4s);
    EXPECT_EQ(next.missed, 3U);
    auto exact = next_deadline(t0, 1s, t0 + 1s);  // due now is already past: the next slot
    EXPECT_EQ(exact.at, t0 + 2s);
    EXPECT_EQ(exact.missed, 1U);
}

TEST(Schedule, OffsetsSpreadDevicesOverTheInterval) {
    EXPECT_EQ(start_offset(0, 4, 1s), 0ms);
    EXPECT_EQ(start_offset(1, 4, 1s), 250ms);
    EXPECT_EQ(start_offset(3, 4, 1s), 750ms);
    EXPECT_EQ(start_offset(5, 4, 1s), 250ms);
    EXPECT_EQ(start_offset(0, 0, 1s), 0ms);
}

TEST(Schedule, PopsDueEntriesEarliestFirst) {
    Schedule s;
    s.add({t0 + 3s, 2, 0});
    s.add({t0 + 1s, 0, 0});
    s.add({t0 + 2s, 1, 1});
    EXPECT_EQ(s.next_due(), t0 + 1s);
    std::vector<Schedule::Entry> due{{t0, 9, 9}};  // what an earlier call left
    s.pop_due(t0 + 500ms, due);
    EXPECT_TRUE(due.empty());
    s.pop_due(t0 + 2s, due);
    ASSERT_EQ(due.size(), 2U);
    EXPECT_EQ(due[0].device, 0U);
    EXPECT_EQ(due[1].device, 1U);
    EXPECT_EQ(s.next_due(), t0 + 3s);
    s.pop_due(t0 + 3s, due);  // the one left, and nothing of the last call's
    ASSERT_EQ(due.size(), 1U);
    EXPECT_EQ(due[0].device, 2U);
    EXPECT_FALSE(s.next_due());
}

// Groups go fastest first; one due with a faster one starts before it, so a scale factor it
// keeps for the faster group is read first.
TEST(Schedule, AtTheSameInstantTheSlowerGroupStartsFirst) {
    Schedule s;
    s.add({t0, 0, 0});
    s.add({t0, 0, 2});
    s.add({t0, 0, 1});
    std::vector<Schedule::Entry> due;
    s.pop_due(t0, due);
    ASSERT_EQ(due.size(), 3U);
    EXPECT_EQ(due[0].group, 2U);
    EXPECT_EQ(due[1].group, 1U);
    EXPECT_EQ(due[2].group, 0U);
}

TEST(Availability, OfflineAfterNFailuresBackOffAndBackOnFirstSuccess) {
    Availability a(3, 60s);
    EXPECT_EQ(a.success(), Availability::Change::went_online);  // first success announces online
    EXPECT_EQ(a.success(), Availability::Change::none);
    EXPECT_EQ(a.failure(), Availability::Change::none);
    EXPECT_EQ(a.failure(), Availability::Change::none);
    EXPECT_EQ(a.poll_delay(10s), 10s);  // still online: polled at its interval
    EXPECT_EQ(a.failure(), Availability::Change::went_offline);
    EXPECT_TRUE(a.offline());
    EXPECT_EQ(a.poll_delay(10s), 20s);
    a.failure();
    EXPECT_EQ(a.poll_delay(10s), 40s);
    a.failure();
    EXPECT_EQ(a.poll_delay(10s), 60s);  // capped
    a.failure();
    EXPECT_EQ(a.poll_delay(10s), 60s);
    EXPECT_EQ(a.failure(), Availability::Change::none);  // already offline: no repeat
    EXPECT_EQ(a.success(), Availability::Change::went_online);
    EXPECT_EQ(a.poll_delay(10s), 10s);
}

TEST(Availability, ADeviceThatNeverAnsweredGoesOffline) {
    Availability a(2, 5min);
    EXPECT_FALSE(a.known());
    EXPECT_EQ(a.failure(), Availability::Change::none);
    EXPECT_EQ(a.failure(), Availability::Change::went_offline);
    // a 1 s device offline is retried every 2 s, 4 s ... never faster than its interval
    EXPECT_EQ(a.poll_delay(1s), 2s);
    EXPECT_GE(a.poll_delay(0s), 1s);
}

}  // namespace
}  // namespace regpoll::poll
