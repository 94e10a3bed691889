#include "transport/backoff.hpp"

#include <gtest/gtest.h>

namespace regpoll::transport {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesUpToTheCapAndResetsOnSuccess) {
    Backoff b(500ms, 4s);
    const Backoff::TimePoint t0{};  // virtual time: no sleeping
    EXPECT_TRUE(b.may_attempt(t0));
    b.failed(t0);
    EXPECT_FALSE(b.may_attempt(t0 + 499ms));
    EXPECT_TRUE(b.may_attempt(t0 + 500ms));
    b.failed(t0 + 500ms);
    EXPECT_EQ(b.next_attempt(), t0 + 1500ms);
    b.failed(t0 + 1500ms);
    EXPECT_EQ(b.next_attempt(), t0 + 3500ms);
    b.failed(t0 + 3500ms);  // 4 s: the cap
    EXPECT_EQ(b.next_attempt(), t0 + 7500ms);
    b.failed(t0 + 7500ms);  // still capped
    EXPECT_EQ(b.next_attempt(), t0 + 11500ms);
    EXPECT_EQ(b.failures(), 5U);
    b.succeeded();
    EXPECT_TRUE(b.may_attempt(t0 + 11s));
    b.failed(t0 + 20s);
    EXPECT_EQ(b.next_attempt(), t0 + 20500ms);
}

}  // namespace
}  // namespace regpoll::transport
