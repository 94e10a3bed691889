#include "sink/history_config.hpp"

#include <gtest/gtest.h>

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using profile::Diagnostics;
using profile::Json;

std::optional<HistoryConfig> parse(const std::string& text, Diagnostics& diag,
                                   const std::string& config_path = "/etc/regpoll/site.json") {
    return parse_history_config(Json::parse(text), config_path, diag);
}

std::string errors(const Diagnostics& diag) {
    std::string out;
    for (const auto& e : diag.errors()) out += e + "\n";
    return out;
}

TEST(HistoryConfig, DefaultsNextToTheConfiguration) {
    Diagnostics diag;
    auto c = parse("{}", diag, "config/site.json");
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->path, "config/site.db");
    EXPECT_EQ(c->retention, 0ms);
    EXPECT_EQ(c->flush_interval, 1s);
    EXPECT_FALSE(c->rollups);
    EXPECT_EQ(c->synchronous, Synchronous::normal);
    EXPECT_TRUE(c->rules.empty());
    EXPECT_EQ(c->rule_for("any", "thing"), nullptr);
}

// Under systemd (StateDirectory=) the service cannot write next to its configuration:
// relative paths and the default go to $STATE_DIRECTORY; absolute paths stay.
TEST(HistoryConfig, RelativePathsGoToTheStateDirectoryWhenThereIsOne) {
    ::setenv("STATE_DIRECTORY", "/var/lib/regpoll:/var/lib/other", 1);
    Diagnostics diag;
    auto c = parse("{}", diag, "/etc/regpoll/site.json");
    auto d = parse(R"({"path": "data/h.db"})", diag, "/etc/regpoll/site.json");
    auto e = parse(R"({"path": "/srv/h.db"})", diag, "/etc/regpoll/site.json");
    ::unsetenv("STATE_DIRECTORY");
    ASSERT_TRUE(c && d && e) << errors(diag);
    EXPECT_EQ(c->path, "/var/lib/regpoll/site.db");
    EXPECT_EQ(d->path, "/var/lib/regpoll/data/h.db");
    EXPECT_EQ(e->path, "/srv/h.db");
}

TEST(HistoryConfig, EveryKey) {
    Diagnostics diag;
    auto c = parse(R"({
        "path": "data/history.sqlite", "retention": "30d", "flush_interval": "250ms",
        "rollups": {"retention": "400d"}, "synchronous": "full", "queue_warning": 5000,
        "rules": [
            {"device": "inverter", "point": "ac_power", "deadband": 5, "heartbeat": "5m"},
            {"device": "meter", "point": "debug_*", "store": false},
            {"point": "*", "on_change": true, "heartbeat": "15m"}
        ]})",
                   diag);
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->path, "/etc/regpoll/data/history.sqlite");
    EXPECT_EQ(c->retention, 30 * 24h);
    EXPECT_EQ(c->flush_interval, 250ms);
    EXPECT_TRUE(c->rollups);
    EXPECT_EQ(c->rollup_retention, 400 * 24h);
    EXPECT_EQ(c->synchronous, Synchronous::full);
    EXPECT_EQ(c->queue_warning, 5000u);
    ASSERT_EQ(c->rules.size(), 3u);
    EXPECT_EQ(c->rules[0].deadband, 5.0);
    EXPECT_EQ(c->rules[0].heartbeat, 5min);
    EXPECT_EQ(c->rules[0].json_path, "/history/rules/0");
    EXPECT_FALSE(c->rules[1].store);
    EXPECT_TRUE(c->rules[2].on_change);
    EXPECT_EQ(c->rules[2].device, "*");
    EXPECT_TRUE(diag.warnings().empty());
}

TEST(HistoryConfig, TheFirstMatchingRuleDecides) {
    Diagnostics diag;
    auto c = parse(R"({"rules": [
            {"device": "inverter", "point": "ac_power", "deadband": 5},
            {"device": "meter", "point": "debug_*", "store": false},
            {"point": "*", "on_change": true}]})",
                   diag);
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->rule_for("inverter", "ac_power"), &c->rules[0]);
    EXPECT_EQ(c->rule_for("meter", "debug_crc"), &c->rules[1]);
    EXPECT_EQ(c->rule_for("meter", "voltage"), &c->rules[2]);
    EXPECT_EQ(c->rule_for("inverter", "ac_power2"), &c->rules[2]);
}

TEST(HistoryConfig, AbsolutePathsAndForeverAndPlainRollups) {
    Diagnostics diag;
    auto c = parse(R"({"path": "/var/lib/regpoll/h.db", "retention": "forever", "rollups": true})",
                   diag);
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->path, "/var/lib/regpoll/h.db");
    EXPECT_EQ(c->retention, 0ms);
    EXPECT_TRUE(c->rollups);
    EXPECT_EQ(c->rollup_retention, 0ms);
}

TEST(HistoryConfig, MistakesNameTheFileAndThePath) {
    Diagnostics diag;
    auto c =
        parse(R"({"retention": "30 days", "flush_interval": "1ms", "keep": 3, "synchronous": "off",
        "rules": [{"deadband": 1}, {"point": "x", "heartbeat": "1m"}, {"point": "y", "deadband": -1},
                  {"point": "z", "store": false, "on_change": true}, {"point": "w", "deadbnad": 1}]})",
              diag, "site.json");
    EXPECT_FALSE(c);
    const std::string e = errors(diag);
    EXPECT_NE(e.find("site.json: /history/retention: \"30 days\": unknown unit \" days\""),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/flush_interval: expected a flush interval from 10ms to "
                     "10m, found \"1ms\""),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/keep: unknown key \"keep\""), std::string::npos) << e;
    EXPECT_NE(e.find("site.json: /history/synchronous: \"off\" is not one of normal, full"),
              std::string::npos)
        << e;
    EXPECT_NE(
        e.find("site.json: /history/rules/0: a rule needs a \"device\" or a \"point\" pattern"),
        std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/rules/1/heartbeat: a heartbeat needs \"deadband\" or "
                     "\"on_change\""),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/rules/2/deadband: a deadband cannot be negative"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/rules/3: \"store\": false stores nothing"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("site.json: /history/rules/4/deadbnad: unknown key"), std::string::npos) << e;
}

TEST(HistoryConfig, WrongShapes) {
    Diagnostics diag;
    EXPECT_FALSE(parse(R"("yes")", diag, "s.json"));
    EXPECT_FALSE(parse(R"({"rules": {"point": "*"}})", diag, "s.json"));
    EXPECT_FALSE(parse(R"({"rollups": "1m"})", diag, "s.json"));
    EXPECT_FALSE(parse(R"({"retention": 30})", diag, "s.json"));
    EXPECT_FALSE(parse(R"({"path": ""})", diag, "s.json"));
    const std::string e = errors(diag);
    EXPECT_NE(e.find("s.json: /history: expected an object, found a string"), std::string::npos)
        << e;
    EXPECT_NE(e.find("s.json: /history/rules: expected a list of rules"), std::string::npos) << e;
    EXPECT_NE(e.find("s.json: /history/rollups: expected true, false or {\"retention\""),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("s.json: /history/retention: expected a duration such as \"30d\" or "
                     "\"forever\", found 30"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("s.json: /history/path: the database path is empty"), std::string::npos) << e;
}

TEST(HistoryConfig, RulesThatApplyToNothingAreWarnedAbout) {
    Diagnostics diag;
    auto c = parse(
        R"({"rules": [{"point": "*", "on_change": true}, {"device": "inverter", "deadband": 1},
                                 {"device": "invertr", "on_change": true}]})",
        diag, "s.json");
    ASSERT_TRUE(c) << errors(diag);
    warn_unused_rules(*c, {{"inverter", {"ac_power", "dc_power"}}, {"meter", {"energy"}}}, "s.json",
                      diag);
    ASSERT_EQ(diag.warnings().size(), 2u);
    EXPECT_EQ(diag.warnings()[0],
              "s.json: /history/rules/1: this rule applies to no point (device \"inverter\", point "
              "\"*\", or "
              "earlier rules match them first)");
    EXPECT_NE(diag.warnings()[1].find("/history/rules/2"), std::string::npos);
}

}  // namespace
}  // namespace regpoll::sink
