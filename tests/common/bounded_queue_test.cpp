#include "common/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace regpoll {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<int> range(int from, int to) {
    std::vector<int> v;
    for (int i = from; i < to; ++i) v.push_back(i);
    return v;
}

std::vector<int> take_all(BoundedQueue<int>& q) {
    std::vector<int> out;
    q.pop(out, 1000, Clock::now());
    return out;
}

TEST(BoundedQueue, DropOldestKeepsTheNewestAndShowsWhatGoes) {
    BoundedQueue<int> q(3, Overflow::drop_oldest);
    std::vector<int> gone;
    EXPECT_EQ(q.push(range(0, 2), [&](int v) { gone.push_back(v); }), 0U);
    EXPECT_EQ(q.push(range(2, 6), [&](int v) { gone.push_back(v); }), 3U);
    EXPECT_EQ(gone, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(take_all(q), (std::vector<int>{3, 4, 5}));
    const auto c = q.counters();
    EXPECT_EQ(c.pushed, 6U);
    EXPECT_EQ(c.dropped, 3U);
    EXPECT_EQ(c.taken, 3U);
    EXPECT_EQ(c.size, 0U);
    EXPECT_EQ(c.high_water, 3U);
}

TEST(BoundedQueue, DropNewestKeepsWhatWaits) {
    BoundedQueue<int> q(3, Overflow::drop_newest);
    std::vector<int> gone;
    EXPECT_EQ(q.push(range(0, 5), [&](int v) { gone.push_back(v); }), 2U);
    EXPECT_EQ(gone, (std::vector<int>{3, 4}));
    EXPECT_EQ(take_all(q), (std::vector<int>{0, 1, 2}));
}

TEST(BoundedQueue, PopTakesAtMostMaxAndReturnsAtTheDeadlineWhenEmpty) {
    BoundedQueue<int> q(10, Overflow::drop_oldest);
    q.push(range(0, 5));
    std::vector<int> out;
    EXPECT_TRUE(q.pop(out, 2, Clock::now()));
    EXPECT_EQ(out, (std::vector<int>{0, 1}));
    out.clear();
    EXPECT_TRUE(q.pop(out, 10, Clock::now()));
    EXPECT_EQ(out.size(), 3U);
    out.clear();
    EXPECT_TRUE(q.pop(out, 10, Clock::now()));  // empty, open: nothing, but not finished
    EXPECT_TRUE(out.empty());
}

TEST(BoundedQueue, PopWakesForAPushFromAnotherThread) {
    BoundedQueue<int> q(10, Overflow::drop_oldest);
    std::thread producer([&] { q.push({7}); });
    std::vector<int> out;
    EXPECT_TRUE(q.pop(out, 10, Clock::now() + std::chrono::seconds(30)));
    producer.join();
    EXPECT_EQ(out, std::vector<int>{7});
}

TEST(BoundedQueue, AfterCloseTheRestIsTakenThenPopSaysFinished) {
    BoundedQueue<int> q(10, Overflow::drop_oldest);
    q.push(range(0, 3));
    q.close();
    std::vector<int> late_gone;
    EXPECT_EQ(q.push(range(3, 5), [&](int v) { late_gone.push_back(v); }), 2U);
    EXPECT_EQ(late_gone, (std::vector<int>{3, 4}));
    std::vector<int> out;
    EXPECT_TRUE(q.pop(out, 2, Clock::now() + std::chrono::seconds(30)));
    EXPECT_TRUE(q.pop(out, 2, Clock::now() + std::chrono::seconds(30)));
    EXPECT_EQ(out, (std::vector<int>{0, 1, 2}));
    EXPECT_FALSE(q.pop(out, 2, Clock::now() + std::chrono::seconds(30)));  // returns at once
    EXPECT_EQ(q.counters().dropped, 2U);
}

TEST(BoundedQueue, DiscardCountsWhatItThrowsAway) {
    BoundedQueue<int> q(10, Overflow::drop_oldest);
    q.push(range(0, 4));
    int seen = 0;
    EXPECT_EQ(q.discard([&](int) { ++seen; }), 4U);
    EXPECT_EQ(seen, 4);
    EXPECT_EQ(q.counters().dropped, 4U);
    EXPECT_EQ(q.counters().size, 0U);
}

}  // namespace
}  // namespace regpoll
