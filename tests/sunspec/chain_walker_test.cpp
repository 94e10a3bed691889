// The chain walker against a scripted device holding chain_image() registers: requests stay
// within 125 registers and on point boundaries, ends and subdevices, and garbage answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "modbus/error.hpp"
#include "sunspec/chain_image.hpp"
#include "sunspec/chain_report.hpp"
#include "sunspec/chain_walker.hpp"

namespace regpoll::sunspec {
namespace {

// A device whose holding registers are `image` from `base`; everything else is refused.
struct ScriptedDevice {
    std::uint16_t base = 40000;
    std::vector<std::uint16_t> image;
    std::vector<std::pair<std::uint16_t, std::uint16_t>> requests;

    RegisterReader reader() {
        return [this](std::uint16_t address,
                      std::uint16_t count) -> Expected<std::vector<std::uint16_t>> {
            requests.emplace_back(address, count);
            if (count == 0 || count > 125 || address < base ||
                address + count > base + image.size()) {
                return Unexpected(modbus::make_exception_error(2));
            }
            const auto from = image.begin() + (address - base);
            return std::vector<std::uint16_t>(from, from + count);
        };
    }
};

ChainSpec chain(std::vector<std::uint16_t> ids, ChainEnd end = ChainEnd::ffff) {
    ChainSpec c;
    c.end = end;
    for (auto id : ids) c.models.push_back(ModelSpec{id, 3, std::nullopt, {}});
    return c;
}

// Every read of `m`'s body stays within 125 registers and ends where one of its points
// ends; returns how many reads there were.
std::size_t expect_point_aligned_reads(const ScriptedDevice& dev, const DiscoveredModel& m) {
    std::size_t pieces = 0;
    for (auto [address, count] : dev.requests) {
        EXPECT_LE(count, 125);
        if (address <= m.address + 1 || address >= m.address + m.length + 2) continue;
        ++pieces;
        const std::size_t end = address + count - m.address;
        bool boundary = end == m.length + 2u;
        for (const auto& p : m.layout.points) boundary = boundary || p.offset + p.def->size == end;
        EXPECT_TRUE(boundary) << "a read of model " << m.id << " ends inside a point at offset "
                              << end;
    }
    return pieces;
}

TEST(SunspecChainWalker, LongModelsAreReadInPointAlignedPieces) {
    ScriptedDevice dev;
    dev.image = *chain_image(chain({1, 701, 160}));
    auto read = dev.reader();
    ASSERT_EQ(*find_base(read, std::nullopt), 40000);
    auto walked = walk_chain(read, 1, 40000);
    ASSERT_TRUE(walked) << walked.error();
    ASSERT_EQ(walked->devices.size(), 1u);
    ASSERT_EQ(walked->devices[0].models.size(), 3u);
    EXPECT_EQ(walked->end, "0xFFFF");
    const auto& m701 = walked->devices[0].models[1];
    EXPECT_GE(expect_point_aligned_reads(dev, m701), 2u);  // 153 registers
}

// 40 modules of model 160 (808 registers): the boundaries are laid out a few pieces ahead,
// again as the reads go further.
TEST(SunspecChainWalker, VeryLongModelsAreReadInPointAlignedPieces) {
    ChainSpec c = chain({1, 160});
    c.models[1].repeats = 40;
    ScriptedDevice dev;
    dev.image = *chain_image(c);
    auto walked = walk_chain(dev.reader(), 1, 40000);
    ASSERT_TRUE(walked) << walked.error();
    const auto& m160 = walked->devices[0].models[1];
    ASSERT_EQ(m160.length, 8u + 40u * 20u);
    EXPECT_GE(expect_point_aligned_reads(dev, m160), 7u);
    EXPECT_EQ(m160.layout.points.back().path, "module[40].DCEvt");
}

TEST(SunspecChainWalker, CountedGroupsAreReadInPiecesThatEndOnTheirPoints) {
    ChainSpec c = chain({1, 705});
    c.models[1].repeats = 6;  // 6 curves of 6 points each
    ScriptedDevice dev;
    dev.image = *chain_image(c);
    auto walked = walk_chain(dev.reader(), 1, 40000);
    ASSERT_TRUE(walked) << walked.error();
    ASSERT_EQ(walked->devices[0].models.size(), 2u);
    const auto& m705 = walked->devices[0].models[1];
    ASSERT_GT(m705.length, 125u) << "the model must need more than one read";
    EXPECT_TRUE(m705.layout.notes.empty()) << m705.layout.notes.front();
    ASSERT_NE(std::find_if(m705.layout.points.begin(), m705.layout.points.end(),
                           [](const PlacedPoint& p) { return p.path == "Crv[6].Pt[6].V"; }),
              m705.layout.points.end());
    EXPECT_EQ(m705.layout.count_offsets.size(), 1u + 6u) << "NCrv, then NPt for each curve";
    EXPECT_GE(expect_point_aligned_reads(dev, m705), 2u);
}

TEST(SunspecChainWalker, ImageValuesComeBackScaled) {
    ChainSpec c = chain({1, 103});
    c.models[1].values = {{"W", 2500}, {"W_SF", 1}, {"PhVphA", nullptr}};
    ScriptedDevice dev;
    dev.image = *chain_image(c);
    auto walked = walk_chain(dev.reader(), 1, 40000);
    ASSERT_TRUE(walked) << walked.error();
    const auto& m = walked->devices[0].models[1];
    std::map<std::string, codec::Value> values;
    for (const auto& p : m.layout.points) values[p.path] = point_value(m, p);
    EXPECT_EQ(codec::to_double(values["W"]), 2500.0);
    EXPECT_EQ(codec::to_double(values["PhVphB"]), 230.0);
    EXPECT_FALSE(codec::is_available(values["PhVphA"]));
}

TEST(SunspecChainWalker, GarbageLengthEndsTheChainWithANote) {
    ScriptedDevice dev;
    dev.image = *chain_image(chain({1, 103}));
    dev.image[2 + 68 + 1] = 0xFFF0;  // model 103's L runs past 65535
    auto walked = walk_chain(dev.reader(), 1, 40000);
    ASSERT_TRUE(walked) << walked.error();
    EXPECT_EQ(walked->devices[0].models.size(), 1u);
    EXPECT_NE(walked->end.find("after model 1"), std::string::npos) << walked->end;
    ASSERT_FALSE(walked->notes.empty());
    EXPECT_NE(walked->notes.back().find("runs past address 65535"), std::string::npos);
}

TEST(SunspecChainWalker, NoModelAfterTheMarkerIsAnError) {
    ScriptedDevice dev;
    dev.image = {0x5375, 0x6E53, 0xFFFF, 0};
    EXPECT_FALSE(walk_chain(dev.reader(), 1, 40000));
    // A marker in the last two registers: the walk has nowhere to go (fuzz_sunspec found it
    // reported as a chain without devices).
    for (std::uint16_t at : {65533, 65534}) {
        ScriptedDevice last;
        last.base = at;
        last.image = {0x5375, 0x6E53};
        auto end = walk_chain(last.reader(), 1, at);
        ASSERT_FALSE(end) << at << ": " << end->devices.size() << " devices, end " << end->end;
        EXPECT_EQ(end.error(), "no model after the marker at " + std::to_string(at) +
                                   ": the address space ends there");
    }
    dev.image = {0x1234, 0x5678};
    auto base = find_base(dev.reader(), std::nullopt);
    ASSERT_FALSE(base);
    EXPECT_NE(base.error().find("40000: 0x12345678 is not \"SunS\""), std::string::npos)
        << base.error();
}

}  // namespace
}  // namespace regpoll::sunspec
