#include "server/fault_policy.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>

namespace regpoll::server {
namespace {

using namespace std::chrono_literals;

// Hands out scripted numbers and fails the test when asked for more.
RandomSource scripted(std::deque<double> values) {
    auto queue = std::make_shared<std::deque<double>>(std::move(values));
    return [queue] {
        if (queue->empty()) throw std::logic_error("no more scripted random numbers");
        double v = queue->front();
        queue->pop_front();
        return v;
    };
}

TEST(FaultPolicy, NoFaultsDrawNothing) {
    FaultPolicy p(FaultSettings{}, scripted({}));
    for (int i = 0; i < 3; ++i) {
        const FaultDecision d = p.decide();
        EXPECT_FALSE(d.disconnect || d.exception || d.drop || d.corrupt);
        EXPECT_EQ(d.delay, 0ms);
    }
}

TEST(FaultPolicy, RatesOfOneAlwaysHappenWithoutDrawing) {
    FaultSettings s;
    s.drop_rate = 1;
    s.corrupt_rate = 1;
    s.exception_rate = 1;
    s.delay = 20ms;
    FaultPolicy p(s, scripted({}));
    const FaultDecision d = p.decide();
    EXPECT_TRUE(d.drop && d.corrupt && d.exception);
    EXPECT_FALSE(d.disconnect);
    EXPECT_EQ(d.delay, 20ms);
}

TEST(FaultPolicy, DisconnectExcludesTheException) {
    FaultSettings s;
    s.disconnect_rate = 1;
    s.exception_rate = 1;
    FaultPolicy p(s, scripted({}));
    const FaultDecision d = p.decide();
    EXPECT_TRUE(d.disconnect);
    EXPECT_FALSE(d.exception);
}

TEST(FaultPolicy, DrawsInAFixedOrder) {
    FaultSettings s;
    s.disconnect_rate = 0.5;
    s.exception_rate = 0.5;
    s.drop_rate = 0.5;
    s.corrupt_rate = 0.5;
    s.delay = 100ms;
    s.jitter = 10ms;
    // disconnect no, exception yes, drop no, corrupt yes, jitter at the top end
    FaultPolicy p(s, scripted({0.9, 0.1, 0.7, 0.2, 0.9999}));
    const FaultDecision d = p.decide();
    EXPECT_FALSE(d.disconnect);
    EXPECT_TRUE(d.exception);
    EXPECT_FALSE(d.drop);
    EXPECT_TRUE(d.corrupt);
    EXPECT_EQ(d.delay, 110ms);
}

TEST(FaultPolicy, JitterIsUniformFromZeroToItsValue) {
    FaultSettings s;
    s.delay = 5ms;
    s.jitter = 4ms;
    FaultPolicy p(s, scripted({0.0, 0.19, 0.2, 0.5, 0.99}));
    std::vector<long> delays;
    for (int i = 0; i < 5; ++i) delays.push_back(p.decide().delay.count());
    EXPECT_EQ(delays, (std::vector<long>{5, 5, 6, 7, 9}));
}

TEST(FaultPolicy, SeededPoliciesRepeatAndHitTheirRates) {
    FaultSettings s;
    s.drop_rate = 0.25;
    FaultPolicy a(s, 42);
    FaultPolicy b(s, 42);
    int drops = 0;
    for (int i = 0; i < 4000; ++i) {
        const bool da = a.decide().drop;
        ASSERT_EQ(da, b.decide().drop) << "at " << i;
        drops += da ? 1 : 0;
    }
    EXPECT_NEAR(drops / 4000.0, 0.25, 0.03);
}

}  // namespace
}  // namespace regpoll::server
