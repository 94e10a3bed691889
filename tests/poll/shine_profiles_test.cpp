// The shipped Growatt profiles against the register blocks Shine dataloggers send
// (shared/reference/growatt-shine.md §4): the captured TL-X record decodes through
// growatt/min-tl-xh to the values the reference lists, and every point of each family's
// profile lies in one block its datalogger sends, so nothing the profile promises is lost.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "../shine/hex.hpp"
#include "../shine/vectors.hpp"
#include "codec/value.hpp"
#include "poll/pushed_record.hpp"
#include "profile/profile_loader.hpp"

namespace regpoll::poll {
namespace {

profile::Profile shipped(const std::string& name) {
    profile::Diagnostics diag;
    auto p =
        profile::load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/" + name + ".json", diag);
    EXPECT_TRUE(p) << name;
    return p ? *p : profile::Profile{};
}

const Sample* find(const std::vector<Sample>& samples, const std::string& point) {
    for (const auto& s : samples) {
        if (*s.point == point) return &s;
    }
    ADD_FAILURE() << "no sample for " << point;
    return nullptr;
}

double number(const std::vector<Sample>& samples, const std::string& point) {
    const Sample* s = find(samples, point);
    return s ? codec::to_double(s->value).value_or(-1) : -1;
}

TEST(ShineProfiles, CapturedTlxRecordDecodesThroughMinTlxh) {
    const auto bytes = test::unhex(test::shine_vectors::v7_data_v6);
    const auto cut = shine::cut_frame(bytes);
    auto rec = shine::decode_data_record(cut.frame);
    ASSERT_TRUE(rec);
    const auto profile = shipped("growatt/min-tl-xh");
    std::vector<Sample> samples;
    const auto errors = decode_pushed_blocks(profile.points, pushed_kind(cut.frame.type),
                                             rec->blocks, 1699087919000, "inverter", samples);
    EXPECT_TRUE(errors.empty());

    // The values the reference lists for this record (V7).
    const Sample* status = find(samples, "status");
    ASSERT_TRUE(status);
    EXPECT_EQ(std::get<std::string>(status->value), "normal");
    const std::vector<std::pair<std::string, double>> expected{
        {"pv_power", 295.0},         {"pv1_voltage", 180.7},         {"pv1_current", 0.8},
        {"pv1_power", 154.5},        {"pv2_voltage", 178.6},         {"pv2_power", 140.5},
        {"ac_power", 283.2},         {"grid_frequency", 50.00},      {"l1_voltage", 233.7},
        {"l1_current", 1.3},         {"energy_today", 0.0},          {"energy_total", 6771.7},
        {"pv_energy_total", 6896.4}, {"inverter_temperature", 23.7},
    };
    for (const auto& [point, value] : expected)
        EXPECT_NEAR(number(samples, point), value, 1e-9) << point;

    // Every input point of the profile is inside the two blocks: each gets a sample.
    std::size_t inputs = 0;
    for (const auto& p : profile.points) inputs += p.kind == modbus::RegisterKind::input;
    EXPECT_EQ(samples.size(), inputs);
}

// The blocks each family's datalogger sends (reference §4), input and holding.
struct Family {
    std::string profile;
    std::vector<std::pair<int, int>> input, holding;
};

bool inside(const profile::Point& p, const std::vector<std::pair<int, int>>& blocks) {
    for (const auto& [first, last] : blocks) {
        if (p.address >= first && p.address + p.width() - 1 <= static_cast<std::size_t>(last))
            return true;
    }
    return false;
}

TEST(ShineProfiles, EveryPointLiesInABlockItsDataloggerSends) {
    const std::vector<Family> families{
        {"growatt/min-tl-xh", {{3000, 3124}, {3125, 3249}}, {{0, 124}, {3000, 3124}}},
        {"growatt/sph-spa", {{0, 124}, {1000, 1124}, {1125, 1249}}, {{0, 124}, {1000, 1124}}},
        {"growatt/mod-max-tl3", {{0, 124}, {125, 249}}, {{0, 124}, {125, 249}}},
        {"growatt/tl-v3", {{0, 44}, {45, 89}}, {{0, 44}, {45, 89}}},
    };
    for (const auto& f : families) {
        const auto profile = shipped(f.profile);
        EXPECT_FALSE(profile.points.empty()) << f.profile;
        for (const auto& p : profile.points) {
            const bool holding = p.kind == modbus::RegisterKind::holding;
            EXPECT_TRUE(inside(p, holding ? f.holding : f.input))
                << f.profile << ": " << p.name << " at " << p.address
                << " is in no block the stick sends";
        }
    }
}

}  // namespace
}  // namespace regpoll::poll
