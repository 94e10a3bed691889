#include "plan/block_planner.hpp"

#include <gtest/gtest.h>

#include "codec/types.hpp"

namespace regpoll::plan {
namespace {

using modbus::RegisterKind;
using profile::Point;

Point pt(std::uint16_t address, const char* type = "uint16", RegisterKind kind = RegisterKind::holding) {
    Point p;
    p.name = "p" + std::to_string(address);
    p.address = address;
    p.kind = kind;
    p.format.type = *codec::parse_type(type);
    return p;
}

std::vector<std::size_t> all(const std::vector<Point>& pts) {
    std::vector<std::size_t> v(pts.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
}

struct Span {
    RegisterKind kind;
    std::uint16_t address;
    std::uint16_t count;
    bool operator==(const Span&) const = default;
};

std::vector<Span> spans(const std::vector<Block>& blocks) {
    std::vector<Span> out;
    for (const auto& b : blocks) out.push_back({b.kind, b.address, b.count});
    return out;
}

std::ostream& operator<<(std::ostream& os, const Span& s) {
    return os << modbus::register_kind_name(s.kind) << " " << s.address << "+" << s.count;
}

struct Case {
    const char* name;
    std::vector<Point> points;
    std::uint16_t max_registers;
    std::uint16_t max_gap;
    std::vector<Span> expected;
};

TEST(BlockPlanner, Table) {
    const auto H = RegisterKind::holding, I = RegisterKind::input, C = RegisterKind::coil;
    const std::vector<Case> cases{
        {"adjacent points merge", {pt(0), pt(1), pt(2, "float32")}, 125, 0, {{H, 0, 4}}},
        {"gap 0 never reads unmapped registers", {pt(0), pt(2)}, 125, 0, {{H, 0, 1}, {H, 2, 1}}},
        {"gap within max_gap is bridged", {pt(0), pt(5)}, 125, 4, {{H, 0, 6}}},
        {"gap beyond max_gap splits", {pt(0), pt(6)}, 125, 4, {{H, 0, 1}, {H, 6, 1}}},
        {"max_registers bounds a block", {pt(0, "float32"), pt(2, "float32"), pt(4, "float32")}, 4, 0, {{H, 0, 4}, {H, 4, 2}}},
        {"kinds never mix", {pt(0, "uint16", I), pt(1), pt(0, "bool", C)}, 125, 10, {{C, 0, 1}, {H, 1, 1}, {I, 0, 1}}},
        {"unsorted input, overlapping aliases", {pt(10), pt(3), pt(10), pt(4)}, 125, 0, {{H, 3, 2}, {H, 10, 1}}},
        {"125 registers exactly", {pt(0), pt(124)}, 125, 123, {{H, 0, 125}}},
        {"126 registers do not fit", {pt(0), pt(125)}, 125, 124, {{H, 0, 1}, {H, 125, 1}}},
        {"last register of the address space", {pt(65534, "uint16"), pt(65535)}, 125, 0, {{H, 65534, 2}}},
    };
    for (const auto& c : cases) {
        profile::Limits limits;
        limits.max_registers = c.max_registers;
        limits.max_gap = c.max_gap;
        const auto sel = all(c.points);
        auto blocks = plan_blocks(c.points, sel, limits);
        std::sort(blocks.begin(), blocks.end(),
                  [](const Block& a, const Block& b) { return std::tie(a.kind, a.address) < std::tie(b.kind, b.address); });
        EXPECT_EQ(spans(blocks), c.expected) << c.name;
        std::size_t covered = 0;
        for (const auto& b : blocks) covered += b.points.size();
        EXPECT_EQ(covered, c.points.size()) << c.name << ": every point is in exactly one block";
    }
}

TEST(BlockPlanner, BitsUseTheBitLimit) {
    std::vector<Point> pts{pt(0, "bool", RegisterKind::coil), pt(1999, "bool", RegisterKind::coil),
                           pt(2000, "bool", RegisterKind::coil)};
    profile::Limits limits;
    limits.max_gap = 2000;
    auto blocks = plan_blocks(pts, all(pts), limits);
    ASSERT_EQ(blocks.size(), 2U);
    EXPECT_EQ(blocks[0].count, 2000);
}

TEST(BlockPlanner, SplitCutsAtTheWidestGap) {
    std::vector<Point> pts{pt(0), pt(1), pt(2), pt(20), pt(21)};
    profile::Limits limits;
    limits.max_gap = 20;
    auto blocks = plan_blocks(pts, all(pts), limits);
    ASSERT_EQ(blocks.size(), 1U);
    auto halves = split_block(blocks[0], pts);
    EXPECT_EQ(spans(halves), (std::vector<Span>{{RegisterKind::holding, 0, 3}, {RegisterKind::holding, 20, 2}}));
    auto quarter = split_block(halves[0], pts);
    EXPECT_EQ(spans(quarter), (std::vector<Span>{{RegisterKind::holding, 0, 1}, {RegisterKind::holding, 1, 2}}));
    EXPECT_TRUE(split_block(quarter[0], pts).empty());  // one point: nothing to split
}

TEST(BlockPlanner, GroupsByIntervalAndPullsInScaleFactors) {
    std::vector<Point> pts{pt(0, "int16"), pt(1, "uint16"), pt(2, "int16"), pt(10, "uint32")};
    pts[0].name = "power";
    pts[0].scale_register = "power_sf";
    pts[1].name = "power_sf";
    pts[1].interval = std::chrono::minutes(1);
    pts[3].name = "energy";
    pts[3].interval = std::chrono::minutes(1);
    profile::Limits limits;
    auto plan = plan_device(pts, std::chrono::seconds(10), limits);
    ASSERT_EQ(plan.groups.size(), 2U);
    EXPECT_EQ(plan.groups[0].interval, std::chrono::seconds(10));
    EXPECT_EQ(plan.groups[0].points, (std::vector<std::size_t>{0, 2}));
    // the 10 s group reads power_sf too, so power is scaled in its own cycle: polled every
    // minute on its own, it still costs no request here (it joins power and point 2)
    EXPECT_TRUE(plan.groups[0].kept.empty());
    EXPECT_EQ(spans(plan.groups[0].blocks), (std::vector<Span>{{RegisterKind::holding, 0, 3}}));
    EXPECT_EQ(plan.groups[1].points, (std::vector<std::size_t>{1, 3}));
    EXPECT_TRUE(plan.groups[1].kept.empty());
    EXPECT_EQ(plan.requests(), 3U);
}

TEST(BlockPlanner, ASlowerScaleFactorIsKeptNotReadUnlessAskedToReadIt) {
    std::vector<Point> pts{pt(0, "int16"), pt(40, "int16"), pt(41, "int16")};
    pts[0].name = "power";
    pts[0].scale_register = "power_sf";
    pts[1].name = "power_sf";
    pts[1].interval = std::chrono::hours(24);
    pts[2].name = "current";
    pts[2].scale_register = "current_sf";
    pts[2].interval = std::chrono::hours(24);
    profile::Limits limits;
    limits.max_gap = 10;
    auto kept = plan_device(pts, std::chrono::seconds(10), limits);
    ASSERT_EQ(kept.groups.size(), 2U);
    EXPECT_EQ(spans(kept.groups[0].blocks), (std::vector<Span>{{RegisterKind::holding, 0, 1}}));
    EXPECT_EQ(kept.groups[0].kept, (std::vector<std::size_t>{1}));
    EXPECT_EQ(spans(kept.groups[1].blocks), (std::vector<Span>{{RegisterKind::holding, 40, 2}}));
    // run --once: the 10 s group reads power_sf itself, in a block of its own (gap > max_gap)
    auto once = plan_device(pts, std::chrono::seconds(10), limits, false);
    EXPECT_TRUE(once.groups[0].kept.empty());
    EXPECT_EQ(spans(once.groups[0].blocks),
              (std::vector<Span>{{RegisterKind::holding, 0, 1}, {RegisterKind::holding, 40, 1}}));
}

// A write-only point ("read": false) is polled by no group, and the blocks around it do not
// bridge it: reading its register would only be refused.
TEST(PlanDevice, WriteOnlyPointsAreNeverRead) {
    std::vector<Point> pts = {pt(0), pt(1), pt(2), pt(100)};
    pts[1].readable = false;
    pts[3].readable = false;
    pts[3].interval = std::chrono::seconds(5);
    auto plan = plan_device(pts, std::chrono::seconds(10), profile::Limits{});
    ASSERT_EQ(plan.groups.size(), 1U);
    EXPECT_EQ(plan.groups[0].points, (std::vector<std::size_t>{0, 2}));
    EXPECT_EQ(spans(plan.groups[0].blocks),
              (std::vector<Span>{{RegisterKind::holding, 0, 1}, {RegisterKind::holding, 2, 1}}));
    // Not even where the device's max_gap would bridge an unmapped register.
    profile::Limits bridging;
    bridging.max_gap = 10;
    plan = plan_device(pts, std::chrono::seconds(10), bridging);
    EXPECT_EQ(spans(plan.groups[0].blocks),
              (std::vector<Span>{{RegisterKind::holding, 0, 1}, {RegisterKind::holding, 2, 1}}));
    pts[1].readable = true;
    plan = plan_device(pts, std::chrono::seconds(10), bridging);
    EXPECT_EQ(spans(plan.groups[0].blocks), (std::vector<Span>{{RegisterKind::holding, 0, 3}}));
}

}  // namespace
}  // namespace regpoll::plan
