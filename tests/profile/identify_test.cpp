// A profile's "identify" block: parsed into checks on its own points, FC43 and SunSpec
// patterns; every mistake named by file and JSON path; values compared raw.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "profile/profile_loader.hpp"

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;

class IdentifyBlock : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-identify-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A profile with a uint16 "device_type" at holding 0, a string "model_name" at 10, a
    // coil and a scaled point, and `identify` as its identify block.
    std::string profile(const std::string& identify) {
        const auto path = (dir_ / "p.json").string();
        std::ofstream(path) << R"({ "manufacturer": "Acme", "model": "X1", "source": "test",
          "points": [
            { "name": "device_type", "address": 0, "map": { "5": "three-phase" } },
            { "name": "model_name", "address": 10, "type": "string", "length": 4 },
            { "name": "relay", "register": "coil", "address": 3 },
            { "name": "power_sf", "address": 20, "type": "int16" },
            { "name": "power", "address": 21, "scale_register": "power_sf" } ],
          "identify": )" << identify << "}";
        return path;
    }
    std::optional<Profile> load(const std::string& identify) {
        diag_ = Diagnostics();
        return load_profile(profile(identify), diag_);
    }
    std::string errors() const {
        std::string all;
        for (const auto& e : diag_.errors()) all += e + "\n";
        return all;
    }
    bool has_error(const std::string& text) const { return errors().find(text) != std::string::npos; }

    fs::path dir_;
    Diagnostics diag_;
};

TEST_F(IdentifyBlock, ParsesChecksFc43AndSunspec) {
    auto p = load(R"({ "checks": [ { "point": "device_type", "values": [5, 1280] },
                                   { "point": "model_name", "pattern": "^SUN2000-" } ],
                       "fc43": { "vendor": "^Acme$" }, "sunspec": { "model": "X1" },
                       "source": "the vendor's map" })");
    ASSERT_TRUE(p) << errors();
    ASSERT_TRUE(p->identify);
    const auto& id = *p->identify;
    ASSERT_EQ(id.checks.size(), 2u);
    EXPECT_EQ(id.checks[0].point_index, 0u);
    EXPECT_EQ(id.checks[0].values.size(), 2u);
    EXPECT_EQ(id.checks[1].point_index, 1u);
    ASSERT_TRUE(id.checks[1].pattern);
    EXPECT_TRUE(id.uses_fc43());
    EXPECT_FALSE(id.fc43_product);
    EXPECT_TRUE(id.uses_sunspec());
    EXPECT_EQ(id.source, "the vendor's map");
}

TEST_F(IdentifyBlock, AProfileWithoutOneHasNone) {
    const auto path = (dir_ / "plain.json").string();
    std::ofstream(path) << R"({ "manufacturer": "Acme", "model": "X1", "source": "test",
                                "points": [ { "name": "a", "address": 0 } ] })";
    auto p = load_profile(path, diag_);
    ASSERT_TRUE(p) << errors();
    EXPECT_FALSE(p->identify);
}

TEST_F(IdentifyBlock, MistakesNameFileAndPath) {
    EXPECT_FALSE(load(R"({ "checks": [ { "point": "nope", "values": [1] } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/point: \"nope\" is not a point of this profile")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": [1], "pattern": "x" } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0: a check has one of \"values\", \"pattern\" and \"min\"/\"max\", not several")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type" } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0: a check needs \"values\", \"pattern\" or \"min\"/\"max\"")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "model_name", "pattern": "(" } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0/pattern: \"(\" is not a regular expression")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": [true] } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0/values/0: true is neither a number nor a string")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "relay", "values": [1] } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0/point: \"relay\" is a coil or discrete input")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "power", "values": [1] } ] })"));
    EXPECT_TRUE(has_error("/identify/checks/0/point: \"power\" has a scale_register")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [] })"));
    EXPECT_TRUE(has_error("/identify/checks: [] is not a non-empty list of checks")) << errors();

    EXPECT_FALSE(load(R"({ "fc43": { "vendr": "x" } })"));
    EXPECT_TRUE(has_error("/identify/fc43")) << errors();
    EXPECT_TRUE(has_error("vendr")) << errors();

    EXPECT_FALSE(load(R"({ "source": "only a source" })"));
    EXPECT_TRUE(has_error("/identify: \"identify\" needs \"checks\", \"fc43\" or \"sunspec\"")) << errors();

    EXPECT_FALSE(load(R"([1])"));
    EXPECT_TRUE(has_error("/identify: \"identify\" must be an object")) << errors();
}

TEST_F(IdentifyBlock, ValuesCompareRawNumbersAndTrimmedTexts) {
    auto p = load(R"({ "checks": [ { "point": "device_type", "values": [5, 1280] },
                                   { "point": "model_name", "values": ["SUN2000"] },
                                   { "point": "model_name", "pattern": "^SUN2000-\\d" },
                                   { "point": "device_type", "pattern": "^12" } ] })");
    ASSERT_TRUE(p) << errors();
    const auto& c = p->identify->checks;
    EXPECT_TRUE(check_accepts(c[0], std::int64_t{5}));
    EXPECT_TRUE(check_accepts(c[0], std::uint64_t{1280}));
    EXPECT_TRUE(check_accepts(c[0], 5.0));
    EXPECT_FALSE(check_accepts(c[0], std::int64_t{3}));
    EXPECT_FALSE(check_accepts(c[0], std::string("5")));
    EXPECT_FALSE(check_accepts(c[0], std::monostate{}));
    EXPECT_TRUE(check_accepts(c[1], std::string("SUN2000  \0\0", 11)));
    EXPECT_FALSE(check_accepts(c[1], std::string("SUN2000-5KTL")));
    EXPECT_TRUE(check_accepts(c[2], std::string("SUN2000-5KTL-M1")));
    EXPECT_FALSE(check_accepts(c[2], std::string("LUNA2000")));
    EXPECT_TRUE(check_accepts(c[3], std::int64_t{1280}));
    EXPECT_FALSE(check_accepts(c[3], std::int64_t{5}));
}

// Growatt's device type code keeps the type in the high byte and a variant in the low one:
// a mask compares only the type.
TEST_F(IdentifyBlock, AMaskComparesOnlyItsBits) {
    auto p = load(R"({ "checks": [ { "point": "device_type", "values": [256, 2048], "mask": 65280 } ] })");
    ASSERT_TRUE(p) << errors();
    const auto& c = p->identify->checks[0];
    ASSERT_TRUE(c.mask);
    EXPECT_EQ(*c.mask, 0xFF00u);
    EXPECT_TRUE(check_accepts(c, std::int64_t{256}));
    EXPECT_TRUE(check_accepts(c, std::int64_t{0x0801}));
    EXPECT_TRUE(check_accepts(c, std::uint64_t{0x08FF}));
    EXPECT_TRUE(check_accepts(c, 2049.0));
    EXPECT_FALSE(check_accepts(c, std::int64_t{0x0301}));
    EXPECT_FALSE(check_accepts(c, std::int64_t{5200}));
    EXPECT_FALSE(check_accepts(c, std::int64_t{-256}));
    EXPECT_FALSE(check_accepts(c, 256.5));
    EXPECT_FALSE(check_accepts(c, std::string("256")));
    EXPECT_FALSE(check_accepts(c, std::monostate{}));
}

TEST_F(IdentifyBlock, MaskMistakesNameFileAndPath) {
    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": [256], "mask": 0 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/mask: ")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": [256], "mask": 1.5 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/mask: ")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "model_name", "pattern": "^X", "mask": 255 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/mask: a mask applies to \"values\" (numbers)")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": [257], "mask": 65280 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/values/0: 257 has bits outside the mask 65280")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "values": ["X1"], "mask": 255 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/values/0: \"X1\" is not a non-negative integer")) << errors();
}

TEST_F(IdentifyBlock, MinAndMaxAcceptARangeOfNumbers) {
    auto p = load(R"({ "checks": [ { "point": "device_type", "min": 384 },
                                   { "point": "device_type", "max": 383 },
                                   { "point": "device_type", "min": 10, "max": 20 } ] })");
    ASSERT_TRUE(p) << errors();
    const auto& c = p->identify->checks;
    EXPECT_TRUE(check_accepts(c[0], std::int64_t{384}));
    EXPECT_TRUE(check_accepts(c[0], std::uint64_t{65535}));
    EXPECT_FALSE(check_accepts(c[0], std::int64_t{383}));
    EXPECT_TRUE(check_accepts(c[1], std::int64_t{383}));
    EXPECT_TRUE(check_accepts(c[1], std::int64_t{0}));
    EXPECT_FALSE(check_accepts(c[1], std::int64_t{384}));
    EXPECT_TRUE(check_accepts(c[2], 10.0));
    EXPECT_TRUE(check_accepts(c[2], std::int64_t{20}));
    EXPECT_FALSE(check_accepts(c[2], 20.5));
    EXPECT_FALSE(check_accepts(c[2], std::int64_t{9}));
    EXPECT_FALSE(check_accepts(c[0], std::string("500")));
    EXPECT_FALSE(check_accepts(c[0], std::monostate{}));
}

TEST_F(IdentifyBlock, RangeMistakesNameFileAndPath) {
    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "min": 20, "max": 10 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/max: 10 is below \"min\" 20")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "min": 1, "values": [5] } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0: a check has one of")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "model_name", "min": 1 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/point: \"model_name\" is a string; \"min\"/\"max\" compare numbers"))
        << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "min": "1" } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/min: ")) << errors();

    EXPECT_FALSE(load(R"({ "checks": [ { "point": "device_type", "min": 1, "mask": 255 } ] })"));
    EXPECT_TRUE(has_error("p.json: /identify/checks/0/mask: a mask applies to \"values\" (numbers)")) << errors();
}

}  // namespace
}  // namespace regpoll::profile
