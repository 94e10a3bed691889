// Scoring a profile's identify block against what a device showed (app/identify_match.hpp).
#include <gtest/gtest.h>

#include <regex>

#include "app/identify_match.hpp"

namespace regpoll::app {
namespace {

profile::IdentifyCheck values_check(std::string point, std::vector<profile::IdentifyValue> values) {
    profile::IdentifyCheck c;
    c.point = std::move(point);
    c.values = std::move(values);
    return c;
}

profile::TextPattern pattern(const std::string& text) { return {text, std::regex(text)}; }

CheckReading reading(codec::Value value, std::string error = {}) {
    CheckReading r;
    r.value = std::move(value);
    r.error = std::move(error);
    return r;
}

TEST(IdentifyMatch, EveryMatchCountsAndAnyFailureRulesOut) {
    profile::Identify id;
    id.checks = {values_check("device_type", {5.0, 1280.0}), values_check("protocol", {2.0})};
    auto fit = match_profile(id, {reading(std::int64_t{5}), reading(std::int64_t{2})}, std::nullopt, std::nullopt);
    EXPECT_TRUE(fit.fits);
    EXPECT_EQ(fit.score, 2);
    ASSERT_EQ(fit.evidence.size(), 2u);
    EXPECT_EQ(fit.evidence[0].what, "holding 0 device_type");
    EXPECT_EQ(fit.evidence[0].value, "5");
    EXPECT_EQ(fit.evidence[0].expected, "5 or 1280");

    fit = match_profile(id, {reading(std::int64_t{3}), reading(std::int64_t{2})}, std::nullopt, std::nullopt);
    EXPECT_FALSE(fit.fits);
    EXPECT_EQ(fit.reason, "holding 0 device_type is 3, expected 5 or 1280");
}

TEST(IdentifyMatch, AnExceptionMeansDoesNotFit) {
    profile::Identify id;
    id.checks = {values_check("device_type", {5.0})};
    auto fit = match_profile(id, {reading(std::monostate{}, "illegal data address")}, std::nullopt, std::nullopt);
    EXPECT_FALSE(fit.fits);
    EXPECT_EQ(fit.reason, "holding 0 device_type is illegal data address, expected 5");
}

TEST(IdentifyMatch, Fc43AndSunspecCountWhenAnsweredAndAreSkippedWhenNot) {
    profile::Identify id;
    id.fc43_vendor = pattern("^Huawei");
    id.sunspec_manufacturer = pattern("^Fronius");
    BasicIdentification huawei;
    huawei.answered = true;
    huawei.vendor = "Huawei Technologies";
    auto fit = match_profile(id, {}, huawei, std::nullopt);
    EXPECT_TRUE(fit.fits);
    EXPECT_EQ(fit.score, 1);
    EXPECT_EQ(fit.evidence[1].outcome, Evidence::Outcome::skipped);

    BasicIdentification other = huawei;
    other.vendor = "Acme";
    EXPECT_FALSE(match_profile(id, {}, other, std::nullopt).fits);
    EXPECT_TRUE(match_profile(id, {}, std::nullopt, SunspecIdentity{40000, "Fronius", "Symo"}).fits);

    // Nothing answered: nothing says it fits.
    fit = match_profile(id, {}, BasicIdentification{}, std::nullopt);
    EXPECT_FALSE(fit.fits);
    EXPECT_EQ(fit.score, 0);
}

}  // namespace
}  // namespace regpoll::app
