// Decoder plugins' point types in a site configuration: what the point parser accepts and
// refuses, and decoding through poll::decode_point with the real plugins.
#include <gtest/gtest.h>

#include "plugin/plugin_set.hpp"
#include "poll/point_decoder.hpp"
#include "profile/site_config.hpp"
#include "test_support.hpp"

namespace regpoll::plugin {
namespace {

using namespace testing;

struct Site {
    std::optional<profile::SiteConfig> config;
    profile::Diagnostics diag;
    std::shared_ptr<PluginSet> plugins;
};

// A configuration with the two decoder plugins and one device with `points`.
Site load_site(const std::string& name, const std::string& points) {
    const auto dir = temp_dir(name);
    const auto path = write_file(dir + "/site.json", R"({
      "plugins": [ { "path": ")" + std::string(GROWATT_STATUS_PLUGIN) +
                                                         R"(" },
                   { "path": ")" + test_plugin("bad_decoders") +
                                                         R"(" } ],
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "inv", "bus": "lab", "points": )" +
                                                         points + R"( } ] })");
    Site site;
    profile::ProfileLibrary library;
    auto loaded = profile::load_site_config(
        path, library,
        [&](const profile::Json& section, const std::string& file, profile::Diagnostics& diag) {
            site.plugins = load_plugins(section, file, diag);
            return std::shared_ptr<const profile::PointTypes>(site.plugins);
        });
    site.config = std::move(loaded.config);
    site.diag = std::move(loaded.diagnostics);
    return site;
}

std::string errors(const profile::Diagnostics& d) {
    std::string all;
    for (const auto& e : d.errors()) all += e + "\n";
    return all;
}

struct Decoded {
    codec::Value value;
    poll::Quality quality;
    std::string error;
};

Decoded decode(const profile::Point& p, std::vector<std::uint16_t> regs) {
    Decoded d;
    d.value = poll::decode_point(p, regs, std::nullopt, d.quality, d.error);
    return d;
}

TEST(DecoderTypes, GrowattFaultAndWarningCodesBecomeText) {
    auto site = load_site("growatt", R"([
        { "name": "fault_code", "register": "input", "address": 40, "type": "growatt_fault" },
        { "name": "warning_code", "register": "input", "address": 64, "type": "growatt_warning" } ])");
    ASSERT_TRUE(site.config) << errors(site.diag);
    const auto& fault = *site.config->devices[0].point("fault_code");
    const auto& warning = *site.config->devices[0].point("warning_code");
    ASSERT_TRUE(fault.decoder);
    EXPECT_EQ(fault.width(), 1U);
    EXPECT_EQ(fault.type_label(), "growatt_fault");
    const std::vector<std::pair<std::uint16_t, std::string>> faults = {
        {0, "no fault"},    {1, "Error 100"},         {5, "Error 104"},
        {23, "Error 122"},  {24, "Auto Test Failed"}, {26, "PV Isolation Low"},
        {32, "Module Hot"}, {33, "fault code 33"},    {65535, "fault code 65535"}};
    for (const auto& [code, text] : faults) {
        auto d = decode(fault, {code});
        EXPECT_EQ(d.error, "");
        EXPECT_EQ(d.quality, poll::Quality::good);
        EXPECT_EQ(d.value, codec::Value(text)) << code;
    }
    const std::vector<std::pair<std::uint16_t, std::string>> warnings = {
        {0, "no warning"},
        {0x0001, "Fan warning"},
        {0x0041, "Fan warning, SPD abnormal"},
        {0x0008, "warning bit 3"},
        {0x8300, "PV1 or PV2 circuit short, PV1 or PV2 boost driver broken, warning bit 15"}};
    for (const auto& [bits, text] : warnings) {
        EXPECT_EQ(decode(warning, {bits}).value, codec::Value(text)) << bits;
    }
}

TEST(DecoderTypes, ScaleOffsetAndNotAvailableApplyAsForBuiltInTypes) {
    auto site = load_site("scaled", R"([
        { "name": "count", "address": 0, "type": "pair", "scale": 0.5, "offset": 1 },
        { "name": "raw", "address": 2, "type": "pair" },
        { "name": "na", "address": 4, "type": "nothing" } ])");
    ASSERT_TRUE(site.config) << errors(site.diag);
    const auto& dev = site.config->devices[0];
    EXPECT_EQ(dev.point("count")->width(), 2U);
    EXPECT_EQ(decode(*dev.point("count"), {0xFFFF, 0xFFFE}).value,
              codec::Value(0.0));  // -2 * 0.5 + 1
    EXPECT_EQ(decode(*dev.point("raw"), {0x0001, 0x0002}).value, codec::Value(std::int64_t{65538}));
    auto na = decode(*dev.point("na"), {7});
    EXPECT_EQ(na.quality, poll::Quality::unavailable);
    EXPECT_FALSE(codec::is_available(na.value));
}

TEST(DecoderTypes, ADecoderFailureIsAnErrorNeverAValue) {
    auto site = load_site("failing", R"([
        { "name": "a", "address": 0, "type": "fails_to_decode" },
        { "name": "b", "address": 1, "type": "odd_kind" } ])");
    ASSERT_TRUE(site.config) << errors(site.diag);
    const auto& dev = site.config->devices[0];
    auto a = decode(*dev.point("a"), {7});
    EXPECT_EQ(a.error, "fails_to_decode: register holds 7, which means nothing");
    EXPECT_FALSE(codec::is_available(a.value));
    auto b = decode(*dev.point("b"), {7});
    EXPECT_EQ(b.error,
              "odd_kind (" + test_plugin("bad_decoders") + ") returned a value of unknown kind 42");
}

TEST(DecoderTypes, SettingsThatDoNotApplyAreRefused) {
    auto site = load_site("refused", R"([
        { "name": "a", "address": 0, "type": "growatt_fault", "bit": 3 },
        { "name": "b", "address": 1, "type": "growatt_fault", "order": "CDAB" },
        { "name": "c", "address": 2, "register": "coil", "type": "growatt_fault" },
        { "name": "d", "address": 3, "type": "growatt_fault", "writable": true },
        { "name": "e", "address": 4, "type": "growatt_faults" } ])");
    EXPECT_FALSE(site.config);
    const std::string all = errors(site.diag);
    EXPECT_EQ(site.diag.errors().size(), 5U) << all;
    EXPECT_NE(all.find("/devices/0/points/0/bit: \"bit\" does not apply to type growatt_fault of "
                       "decoder plugin "
                       "growatt_status 1.0 (" +
                       std::string(GROWATT_STATUS_PLUGIN) +
                       "): it decodes the registers as the device sends them"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("/devices/0/points/1/order: \"order\" does not apply"), std::string::npos)
        << all;
    EXPECT_NE(
        all.find(
            "/devices/0/points/2/type: a coil is one bit: its type is bool, not growatt_fault"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find("/devices/0/points/3/writable: type growatt_fault of decoder plugin "
                       "growatt_status 1.0 (" +
                       std::string(GROWATT_STATUS_PLUGIN) + ") can only be read"),
              std::string::npos)
        << all;
    // An unknown type lists the plugins' types after the codec's.
    EXPECT_NE(
        all.find(
            "/devices/0/points/4/type: \"growatt_faults\" is not a type (expected one of bool, "),
        std::string::npos)
        << all;
    EXPECT_NE(
        all.find(
            "bcd32, fails_to_decode, growatt_fault, growatt_warning, nothing, odd_kind, pair)"),
        std::string::npos)
        << all;
}

TEST(DecoderTypes, WithoutThePluginTheTypeIsUnknown) {
    const auto dir = temp_dir("no-plugin");
    const auto path = write_file(dir + "/site.json", R"({
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "inv", "bus": "lab", "points": [ { "name": "f", "address": 40, "type": "growatt_fault" } ] } ] })");
    profile::ProfileLibrary library;
    auto loaded = profile::load_site_config(
        path, library,
        [](const profile::Json& section, const std::string& file, profile::Diagnostics& diag) {
            return std::shared_ptr<const profile::PointTypes>(load_plugins(section, file, diag));
        });
    ASSERT_EQ(loaded.diagnostics.errors().size(), 1U);
    EXPECT_NE(loaded.diagnostics.errors()[0].find(
                  "/devices/0/points/0/type: \"growatt_fault\" is not a type"),
              std::string::npos);
}

}  // namespace
}  // namespace regpoll::plugin
