// The status file of `regpoll run` and the verdict of `regpoll health`: what counts as
// polling, stale, stopped, and what is not a status file at all.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/status_file.hpp"

namespace regpoll::app {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::int64_t now = 1'763'632'800'000;

profile::SiteConfig site(std::vector<std::pair<std::string, profile::Milliseconds>> devices) {
    profile::SiteConfig config;
    for (auto& [name, interval] : devices) {
        profile::DeviceConfig d;
        d.name = name;
        d.interval = interval;
        d.points.edit().emplace_back().name = "p";
        config.devices.push_back(std::move(d));
    }
    return config;
}

void feed(StatusTracker& tracker, const std::string& device, std::int64_t ts) {
    poll::Sample s;
    s.device = &device;
    s.ts_ms = ts;
    tracker.on_samples(std::span(&s, 1));
}

Json status(const StatusTracker& tracker, const char* state, std::int64_t written) {
    StatusHeader h;
    h.pid = 4711;
    h.version = "0.1.0";
    h.config = "/etc/regpoll/regpoll.json";
    h.state = state;
    h.started_ms = now - 600'000;
    h.written_ms = written;
    return status_json(h, tracker);
}

TEST(StatusTracker, LearnsLastAnswerAndAvailabilityPerDevice) {
    StatusTracker t;
    t.set_devices(site({{"inverter", 10s}, {"meter", 2s}}));
    EXPECT_FALSE(t.take_news());
    const std::string inverter = "inverter";
    feed(t, inverter, now - 500);
    EXPECT_TRUE(t.take_news());  // first answer
    feed(t, inverter, now);
    EXPECT_FALSE(t.take_news());  // later answers are not news
    t.on_availability("inverter", true);
    EXPECT_TRUE(t.take_news());
    t.on_availability("inverter", true);
    EXPECT_FALSE(t.take_news());
    EXPECT_EQ(t.online(), 1U);
    const auto j = t.devices_json();
    EXPECT_EQ(j["inverter"]["last_sample_ms"], now);
    EXPECT_EQ(j["inverter"]["online"], true);
    EXPECT_EQ(j["inverter"]["interval_ms"], 10000);
    EXPECT_EQ(j["meter"]["last_sample_ms"], 0);
    EXPECT_EQ(j["meter"]["online"], false);
}

TEST(StatusTracker, TheShortestPointIntervalCountsAndReloadsKeepWhatIsKnown) {
    auto config = site({{"inverter", 10s}, {"meter", 5s}});
    config.devices[0].points.edit()[0].interval = 1s;
    StatusTracker t;
    t.set_devices(config);
    const std::string inverter = "inverter";
    feed(t, inverter, now);
    EXPECT_EQ(t.devices_json()["inverter"]["interval_ms"], 1000);
    t.set_devices(site({{"inverter", 10s}, {"pump", 1s}}));  // meter removed, pump added
    const auto j = t.devices_json();
    EXPECT_EQ(j.size(), 2U);
    EXPECT_EQ(j["inverter"]["last_sample_ms"], now);
    EXPECT_EQ(j["pump"]["last_sample_ms"], 0);
    const std::string unknown = "not-configured";
    feed(t, unknown, now);  // ignored, not added
    EXPECT_EQ(t.devices_json().size(), 2U);
}

class Judge : public ::testing::Test {
  protected:
    void SetUp() override { tracker_.set_devices(site({{"inverter", 10s}, {"meter", 2s}})); }
    void answer(const std::string& device, std::int64_t ts) {
        feed(tracker_, device, ts);
        tracker_.on_availability(device, true);
    }
    HealthVerdict judge(const char* state, std::int64_t written,
                        std::chrono::milliseconds max_age = 60s) {
        return judge_status(status(tracker_, state, written), now, max_age);
    }
    StatusTracker tracker_;
};

TEST_F(Judge, HealthyWhenFreshAndOneDeviceAnsweredLately) {
    answer("meter", now - 3000);
    const auto v = judge("polling", now - 2000);
    EXPECT_TRUE(v.healthy) << v.reason;
    EXPECT_EQ(v.reason, "regpoll (pid 4711) is polling: 1 of 2 devices answering, status 2s old");
}

TEST_F(Judge, StaleStatusMeansNotRunningOrStuck) {
    answer("meter", now - 95'000);
    const auto v = judge("polling", now - 95'000);
    EXPECT_FALSE(v.healthy);
    EXPECT_EQ(
        v.reason,
        "the status is 95s old (more than 1m): regpoll (pid 4711) is not running or is stuck");
}

TEST_F(Judge, StoppedIsUnhealthyEvenWhenFresh) {
    answer("meter", now - 1000);
    const auto v = judge("stopped", now - 1000);
    EXPECT_FALSE(v.healthy);
    EXPECT_EQ(v.reason, "regpoll (pid 4711) stopped 1s ago");
}

TEST_F(Judge, NoDeviceAnsweredListsWhatEachLastDid) {
    answer("inverter", now - 600'000);
    tracker_.on_availability("inverter", false);
    const auto v = judge("polling", now - 1000);
    EXPECT_FALSE(v.healthy);
    EXPECT_EQ(v.reason,
              "no device answered lately (2 devices; inverter: offline, last answer 10m ago, "
              "meter: offline, never answered)");
}

TEST_F(Judge, AnOfflineDeviceDoesNotCountEvenRightAfterItsLastAnswer) {
    answer("meter", now - 1000);
    tracker_.on_availability("meter", false);
    EXPECT_FALSE(judge("polling", now).healthy);
}

TEST_F(Judge, ASlowDeviceCountsForTwiceItsInterval) {
    tracker_.set_devices(site({{"tank", 5min}}));
    answer("tank", now - 9 * 60'000);  // 9 minutes ago: within 2 x 5 min
    EXPECT_TRUE(judge("polling", now - 1000).healthy);
    tracker_.set_devices(site({{"tank", 4min}}));
    EXPECT_FALSE(judge("polling", now - 1000).healthy);  // 9 min > 2 x 4 min
}

TEST_F(Judge, MaxAgeWidensTheWindow) {
    answer("meter", now - 100'000);
    EXPECT_FALSE(judge("polling", now, 60s).healthy);
    EXPECT_TRUE(judge("polling", now, 120s).healthy);
}

TEST_F(Judge, AClockSetBackDoesNotMakeTheStatusStale) {
    answer("meter", now + 30'000);
    EXPECT_TRUE(judge("polling", now + 30'000).healthy);
}

TEST_F(Judge, StartingIsNotPolling) {
    const auto v = judge("starting", now);
    EXPECT_FALSE(v.healthy);
    EXPECT_NE(v.reason.find("never answered"), std::string::npos) << v.reason;
}

TEST(JudgeStatus, SomethingElseIsNotAStatusFile) {
    const auto written = std::to_string(now);
    for (const std::string& text : std::vector<std::string>{
             R"([])", R"({})", R"({"written_ms":"soon","state":"polling","devices":{}})",
             R"({"written_ms":)" + written + R"(,"state":"polling","devices":[]})",
             R"({"written_ms":)" + written + R"(,"state":"polling","devices":{"a":3}})"}) {
        const auto v = judge_status(Json::parse(text), now, 60s);
        EXPECT_FALSE(v.healthy) << text;
        EXPECT_EQ(v.reason.rfind("not a regpoll status file", 0), 0U) << text << ": " << v.reason;
    }
}

TEST(JudgeStatus, NoDevicesIsNotPolling) {
    StatusTracker t;
    const auto v = judge_status(status(t, "polling", now), now, 60s);
    EXPECT_FALSE(v.healthy);
    EXPECT_EQ(v.reason, "regpoll (pid 4711) polls no devices");
}

class StatusFileWrite : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-status-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(StatusFileWrite, ReplacesTheFileAndLeavesNoTemporaryBehind) {
    const auto path = (dir_ / "status.json").string();
    ASSERT_EQ(write_file_atomically(path, "{\"a\":1}\n"), "");
    ASSERT_EQ(write_file_atomically(path, "{\"a\":2}\n"), "");
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "{\"a\":2}\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(StatusFileWrite, AMissingFolderIsAnErrorNamingTheFile) {
    const auto path = (dir_ / "missing" / "status.json").string();
    const auto error = write_file_atomically(path, "{}");
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

TEST(StatusFileDefault, UnderSystemdItIsInTheRuntimeDirectory) {
    ::unsetenv("RUNTIME_DIRECTORY");
    EXPECT_EQ(default_status_file_for_run(), "");
    EXPECT_EQ(default_status_file_for_health(), "/run/regpoll/status.json");
    ::setenv("RUNTIME_DIRECTORY", "/run/regpoll:/run/other", 1);
    EXPECT_EQ(default_status_file_for_run(), "/run/regpoll/status.json");
    ::setenv("RUNTIME_DIRECTORY", "/run/site-b", 1);
    EXPECT_EQ(default_status_file_for_health(), "/run/site-b/status.json");
    ::unsetenv("RUNTIME_DIRECTORY");
}

}  // namespace
}  // namespace regpoll::app
