// "keepalive" in profiles: what the loader takes, and what it refuses with the file and the
// JSON path of the mistake.
#include "profile/keepalive_parser.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "codec/value.hpp"
#include "profile/profile_loader.hpp"
#include "profile/site_config.hpp"

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class KeepaliveProfile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("regpoll-keepalive-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A charger profile with a writable current limit, a read-only state, a write-only alive
    // register and `extra` keys.
    std::string write_profile(const std::string& extra) {
        const auto path = (dir_ / "charger.json").string();
        std::ofstream(path) << R"({ "manufacturer": "Test", "model": "Charger", "source": "test",
          "points": [ { "name": "max_current", "address": 10, "type": "float32", "writable": true, "min": 0, "max": 32 },
                      { "name": "state", "address": 20, "type": "uint16" },
                      { "name": "alive", "address": 6000, "type": "uint16", "writable": true, "read": false } ])"
                            << extra << "}";
        return path;
    }
    // Loads and returns the errors ("" when it loaded).
    std::string errors_of(const std::string& extra) {
        Diagnostics diag;
        auto profile = load_profile(write_profile(extra), diag);
        std::string all;
        for (const auto& e : diag.errors()) all += e + "\n";
        EXPECT_EQ(profile.has_value(), all.empty()) << all;
        return all;
    }
    std::string file() const { return (dir_ / "charger.json").string(); }

    fs::path dir_;
};

TEST_F(KeepaliveProfile, APointAndAPeriodShorterThanTheWatchdogLoad) {
    Diagnostics diag;
    auto profile = load_profile(write_profile(R"(, "limits": { "write_watchdog": "60s" },
        "keepalive": [ { "point": "max_current", "every": "25s" } ])"),
                                diag);
    ASSERT_TRUE(profile) << (diag.errors().empty() ? "" : diag.errors().front());
    ASSERT_EQ(profile->keepalive.size(), 1U);
    EXPECT_EQ(profile->keepalive[0].point, "max_current");
    EXPECT_EQ(profile->keepalive[0].every, 25s);
    EXPECT_EQ(profile->limits.write_watchdog, 60s);
}

TEST_F(KeepaliveProfile, WithoutAWatchdogAnyPositivePeriodLoads) {
    EXPECT_EQ(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "10s" } ])"), "");
}

TEST_F(KeepaliveProfile, AnUnknownPointIsRefusedWithItsPath) {
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_curent", "every": "25s" } ])")
                  .find(file() + ": /keepalive/0/point: no point \"max_curent\""),
              std::string::npos);
}

TEST_F(KeepaliveProfile, AReadOnlyPointIsRefused) {
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "state", "every": "25s" } ])")
                  .find(file() + ": /keepalive/0/point: point \"state\" is not writable"),
              std::string::npos);
}

TEST_F(KeepaliveProfile, AMissingOrZeroPeriodIsRefused) {
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current" } ])")
                  .find(file() + ": /keepalive/0: a keepalive needs \"every\""),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "0s" } ])")
                  .find(file() + ": /keepalive/0/every: the period must be longer than 0"),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": 25 } ])")
                  .find(file() + ": /keepalive/0/every: expected a duration"),
              std::string::npos);
}

TEST_F(KeepaliveProfile, APeriodNotShorterThanTheWatchdogIsRefused) {
    const auto errors = errors_of(R"(, "limits": { "write_watchdog": "30s" },
        "keepalive": [ { "point": "max_current", "every": "30s" } ])");
    EXPECT_NE(errors.find(
                  file() +
                  ": /keepalive/0/every: \"30s\" is not shorter than the device's write_watchdog"),
              std::string::npos)
        << errors;
}

TEST_F(KeepaliveProfile, OtherMistakesAreRefused) {
    EXPECT_NE(errors_of(R"(, "keepalive": { "point": "max_current", "every": "25s" })")
                  .find(file() + ": /keepalive: expected a non-empty list"),
              std::string::npos);
    EXPECT_NE(
        errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "25s", "values": 16 } ])")
            .find(file() + ": /keepalive/0/values: unknown key"),
        std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "25s" },
                                           { "point": "max_current", "every": "20s" } ])")
                  .find(file() + ": /keepalive/1/point: point \"max_current\" is kept alive twice"),
              std::string::npos);
    EXPECT_NE(
        errors_of(R"(, "limits": { "write_watchdog": "0s" })")
            .find(file() + ": /limits/write_watchdog: a write watchdog must be longer than 0"),
        std::string::npos);
}

// "value": written every period from the start; checked against the point as a write would
// be: the kind of value, min/max, and what the type holds.
TEST_F(KeepaliveProfile, AFixedValueLoadsAndIsCheckedAgainstThePoint) {
    Diagnostics diag;
    auto profile = load_profile(write_profile(R"(, "limits": { "write_watchdog": "20s" },
        "keepalive": [ { "point": "alive", "every": "5s", "value": 1 },
                       { "point": "max_current", "every": "5s", "value": 6.5 } ])"),
                                diag);
    ASSERT_TRUE(profile) << (diag.errors().empty() ? "" : diag.errors().front());
    ASSERT_EQ(profile->keepalive.size(), 2U);
    ASSERT_TRUE(profile->keepalive[0].value);
    EXPECT_EQ(codec::format_value(*profile->keepalive[0].value), "1");
    EXPECT_EQ(codec::to_double(*profile->keepalive[1].value), 6.5);

    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "5s", "value": 40 } ])")
                  .find(file() + ": /keepalive/0/value: 40 is above the maximum 32 for point \"max_current\""),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "max_current", "every": "5s", "value": -1 } ])")
                  .find(file() + ": /keepalive/0/value: -1 is below the minimum 0"),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "alive", "every": "5s", "value": 70000 } ])")
                  .find(file() + ": /keepalive/0/value: 70000 cannot be written for point \"alive\""),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "alive", "every": "5s", "value": 1.5 } ])")
                  .find(file() + ": /keepalive/0/value: 1.5 cannot be written"),
              std::string::npos)
        << errors_of(R"(, "keepalive": [ { "point": "alive", "every": "5s", "value": 1.5 } ])");
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "alive", "every": "5s", "value": "on" } ])")
                  .find(file() + ": /keepalive/0/value: on is not a number for point \"alive\""),
              std::string::npos);
    EXPECT_NE(errors_of(R"(, "keepalive": [ { "point": "alive", "every": "5s", "value": [1] } ])")
                  .find(file() + ": /keepalive/0/value: expected a number, true/false or a text"),
              std::string::npos);
}

// A site device that makes the kept-alive point read-only, or gives a shorter watchdog,
// cannot keep the profile's promise: refused at the device.
TEST_F(KeepaliveProfile, ASiteDeviceThatBreaksTheProfilesKeepaliveIsRefused) {
    write_profile(R"(, "keepalive": [ { "point": "max_current", "every": "25s" } ])");
    const auto site = (dir_ / "site.json").string();
    std::ofstream(site) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "ok", "bus": "lab", "profile": "./charger.json" },
                   { "name": "short", "bus": "lab", "profile": "./charger.json", "limits": { "write_watchdog": "20s" } } ] })";
    ProfileLibrary library;
    auto result = load_site_config(site, library);
    EXPECT_FALSE(result.config);
    std::string all;
    for (const auto& e : result.diagnostics.errors()) all += e + "\n";
    EXPECT_NE(
        all.find(site + ": /devices/1: the profile's keepalive of \"max_current\" cannot run here"),
        std::string::npos)
        << all;
    EXPECT_EQ(all.find("/devices/0"), std::string::npos) << all;
}

TEST_F(KeepaliveProfile, ASiteDeviceTakesTheProfilesKeepalive) {
    write_profile(R"(, "keepalive": [ { "point": "max_current", "every": "25s" } ])");
    const auto site = (dir_ / "site.json").string();
    std::ofstream(site) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "charger", "bus": "lab", "profile": "./charger.json" } ] })";
    ProfileLibrary library;
    auto result = load_site_config(site, library);
    ASSERT_TRUE(result.config);
    ASSERT_EQ(result.config->devices[0].keepalive.size(), 1U);
    EXPECT_EQ(result.config->devices[0].keepalive[0].every, 25s);
}


// A site device's own "keepalive": replaces the profile's entry for the same point (keeping
// its fixed value when the site gives none), adds another point, "off" removes one, [] all.
TEST_F(KeepaliveProfile, ASiteDevicesKeepaliveReplacesAddsAndTurnsOff) {
    write_profile(R"(, "keepalive": [ { "point": "max_current", "every": "25s" },
                                       { "point": "alive", "every": "5s", "value": 1 } ])");
    const auto site = (dir_ / "site.json").string();
    std::ofstream(site) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "shorter", "bus": "lab", "profile": "./charger.json",
                     "keepalive": [ { "point": "alive", "every": "2s" }, { "point": "max_current", "every": "off" } ] },
                   { "name": "none", "bus": "lab", "profile": "./charger.json", "keepalive": [] },
                   { "name": "fixed", "bus": "lab", "profile": "./charger.json",
                     "keepalive": [ { "point": "max_current", "every": "10s", "value": 6 } ] } ] })";
    ProfileLibrary library;
    auto result = load_site_config(site, library);
    ASSERT_TRUE(result.config);
    const auto& shorter = result.config->devices[0].keepalive;
    ASSERT_EQ(shorter.size(), 1U);
    EXPECT_EQ(shorter[0].point, "alive");
    EXPECT_EQ(shorter[0].every, 2s);
    ASSERT_TRUE(shorter[0].value);
    EXPECT_EQ(codec::format_value(*shorter[0].value), "1") << "the profile's fixed value stays";
    EXPECT_TRUE(result.config->devices[1].keepalive.empty());
    const auto& fixed = result.config->devices[2].keepalive;
    ASSERT_EQ(fixed.size(), 2U);
    EXPECT_EQ(fixed[0].every, 10s);
    ASSERT_TRUE(fixed[0].value);
    EXPECT_EQ(codec::format_value(*fixed[0].value), "6");
}

}  // namespace
}  // namespace regpoll::profile
