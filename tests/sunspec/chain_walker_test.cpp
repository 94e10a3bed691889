// The chain walker against a scripted device holding chain_image() registers: requests stay
// within 125 registers and on point boundaries, ends and subdevices, and garbage answers.
#include <gtest/gtest.h>

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
    // Every piece of 701 (153 registers) ends where a point ends.
    for (auto [address, count] : dev.requests) {
        EXPECT_LE(count, 125);
        if (address <= m701.address + 1 || address >= m701.address + m701.length + 2) continue;
        const std::size_t end = address + count - m701.address;
        bool boundary = end == m701.length + 2u;
        for (const auto& p : m701.layout.points)
            boundary = boundary || p.offset + p.def->size == end;
        EXPECT_TRUE(boundary) << "a read of 701 ends inside a point at offset " << end;
    }
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
    dev.image = {0x1234, 0x5678};
    auto base = find_base(dev.reader(), std::nullopt);
    ASSERT_FALSE(base);
    EXPECT_NE(base.error().find("40000: 0x12345678 is not \"SunS\""), std::string::npos)
        << base.error();
}

}  // namespace
}  // namespace regpoll::sunspec
