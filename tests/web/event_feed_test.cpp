// The live page's events: a first event with everything, then only what changed, and the
// errors of the last hour from counters that only grow.
#include "web/event_feed.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "web/api.hpp"

namespace regpoll::web {
namespace {

using Json = nlohmann::json;

Json data_of(const std::string& event) {
    const auto at = event.find("data: ");
    EXPECT_NE(at, std::string::npos) << event;
    EXPECT_TRUE(event.ends_with("\n\n")) << event;
    return Json::parse(event.substr(at + 6));
}

std::shared_ptr<DeviceView> device(const std::string& name, double value) {
    auto d = std::make_shared<DeviceView>();
    d->name = name;
    d->bus = "lab";
    d->online = true;
    d->points.push_back({"power", "W", value, poll::Quality::good, 1000, 0});
    return d;
}

TEST(EventFeed, FirstEventHasEveryDeviceThenOnlyChangedOnes) {
    SiteViewBoard board;
    EventFeed feed(board);
    EXPECT_EQ(feed.first_event(), "");
    EXPECT_EQ(feed.next(true), nullptr);

    auto view = std::make_shared<SiteView>();
    view->version = "9.9";
    view->config_file = "/etc/site.json";
    view->started_ms = unix_now_ms();
    view->devices = {device("a", 1), device("b", 2)};
    board.publish(view);
    const auto first = data_of(feed.first_event());
    EXPECT_TRUE(first["full"].get<bool>());
    EXPECT_EQ(first["site"]["version"], "9.9");
    EXPECT_EQ(first["site"]["config"], "/etc/site.json");
    ASSERT_EQ(first["devices"].size(), 2U);
    EXPECT_EQ(first["devices"][1]["points"][0]["value"], 2);
    EXPECT_EQ(first["devices"][1]["points"][0]["precision"], 0);
    EXPECT_EQ(first["devices"][1]["errors_1h"], 0);

    ASSERT_NE(feed.next(true), nullptr);  // the first period sends what it has not sent yet
    EXPECT_EQ(feed.next(true), nullptr);  // nothing changed

    auto next = std::make_shared<SiteView>(*view);
    auto b = device("b", 3);  // only b was polled again
    b->metrics.record(std::chrono::milliseconds(5), std::make_error_code(std::errc::timed_out), 1);
    next->devices[1] = b;
    board.publish(next);
    const auto update = feed.next(true);
    ASSERT_NE(update, nullptr);
    const auto j = data_of(*update);
    EXPECT_FALSE(j["full"].get<bool>());
    ASSERT_EQ(j["devices"].size(), 1U) << j.dump();
    EXPECT_EQ(j["devices"][0]["name"], "b");
    EXPECT_FALSE(j["devices"][0].contains("points"));  // the streams know them: values only
    EXPECT_EQ(j["devices"][0]["values"], Json::parse("[[3, 1000]]"));
    EXPECT_EQ(j["devices"][0]["errors_1h"], 1);
}

TEST(EventFeed, ThePlanComesFirstAndAgainOnlyWhenItChanged) {
    SiteViewBoard board;
    EventFeed feed(board);
    auto plan = std::make_shared<PlanView>();
    plan->requests.push_back({"input", 0, 2, 1000, {"power"}});
    auto view = std::make_shared<SiteView>();
    auto first_a = device("a", 1);
    first_a->plan = plan;
    view->devices = {first_a};
    board.publish(view);
    const auto first = data_of(feed.first_event());
    ASSERT_TRUE(first.contains("plan")) << first.dump();
    EXPECT_EQ(first["plan"]["buses"][0]["devices"][0]["requests"][0]["count"], 2);
    ASSERT_NE(feed.next(true), nullptr);
    auto polled = std::make_shared<SiteView>(*view);  // a new value, the same plan
    auto a = device("a", 2);
    a->plan = plan;
    polled->devices = {a};
    board.publish(polled);
    auto update = feed.next(true);
    ASSERT_NE(update, nullptr);
    EXPECT_FALSE(data_of(*update).contains("plan")) << *update;
    auto reloaded = std::make_shared<SiteView>(*polled);  // a reload: a plan of its own
    auto b = device("a", 3);
    auto replanned = std::make_shared<PlanView>(*plan);
    replanned->requests[0].count = 4;
    b->plan = replanned;
    reloaded->devices = {b};
    board.publish(reloaded);
    update = feed.next(true);
    ASSERT_NE(update, nullptr);
    const auto j = data_of(*update);
    ASSERT_TRUE(j.contains("plan")) << *update;
    EXPECT_EQ(j["plan"]["buses"][0]["devices"][0]["requests"][0]["count"], 4);
}

TEST(EventFeed, NobodyListeningCostsNoEventAndLosesNoChange) {
    SiteViewBoard board;
    EventFeed feed(board);
    auto view = std::make_shared<SiteView>();
    view->devices = {device("a", 1)};
    board.publish(view);
    EXPECT_EQ(feed.next(false), nullptr);
    // A stream opened later gets everything in its first event.
    EXPECT_EQ(data_of(feed.first_event())["devices"].size(), 1U);
}

TEST(ErrorWindow, CountsTheLastHourOnly) {
    constexpr std::int64_t minute = 60'000;
    ErrorWindow w;
    const std::int64_t t0 = 10 * 3'600'000;
    // The counter started two hours before: errors are counted from when they were first seen.
    EXPECT_EQ(w.errors_in_hour(50, t0, t0 - 120 * minute), 0U);
    EXPECT_EQ(w.errors_in_hour(53, t0 + 30 * minute, t0 - 120 * minute), 3U);
    for (int m = 31; m <= 61; ++m) w.errors_in_hour(53, t0 + m * minute, t0 - 120 * minute);
    // An hour later the 3 errors of the first half hour are still in, at 90 min they are out.
    EXPECT_EQ(w.errors_in_hour(54, t0 + 62 * minute, t0 - 120 * minute), 4U);
    for (int m = 63; m <= 95; ++m) w.errors_in_hour(54, t0 + m * minute, t0 - 120 * minute);
    EXPECT_EQ(w.errors_in_hour(54, t0 + 96 * minute, t0 - 120 * minute), 1U);
    // Counting that started within the hour: all of it.
    ErrorWindow fresh;
    EXPECT_EQ(fresh.errors_in_hour(7, t0, t0 - 10 * minute), 7U);
    // A reload restarted the counter at 0.
    EXPECT_EQ(w.errors_in_hour(2, t0 + 97 * minute, t0 - 120 * minute), 0U);
}

}  // namespace
}  // namespace regpoll::web
