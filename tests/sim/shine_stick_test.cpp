// The blocks a simulated Shine stick sends for each shipped Growatt profile are the blocks
// real sticks of that family send (shared/reference/growatt-shine.md §4).
#include "sim/shine_stick.hpp"

#include <gtest/gtest.h>

#include "profile/profile_loader.hpp"

namespace regpoll::sim {
namespace {

std::vector<StickBlock> blocks(const std::string& name, modbus::RegisterKind kind) {
    profile::Diagnostics diag;
    auto p = profile::load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/" + name + ".json", diag);
    EXPECT_TRUE(p) << name;
    if (!p) return {};
    return stick_blocks(p->points, kind, p->limits.max_registers <= 45 ? 45 : 125);
}

TEST(ShineStick, BlocksOfEachFamily) {
    using K = modbus::RegisterKind;
    using B = std::vector<StickBlock>;
    EXPECT_EQ(blocks("growatt/min-tl-xh", K::input), (B{{3000, 125}, {3125, 125}}));
    EXPECT_EQ(blocks("growatt/min-tl-xh", K::holding), (B{{0, 125}}));
    EXPECT_EQ(blocks("growatt/sph-spa", K::input), (B{{0, 125}, {1000, 125}}));
    EXPECT_EQ(blocks("growatt/sph-spa", K::holding), (B{{0, 125}, {1000, 125}}));
    EXPECT_EQ(blocks("growatt/mod-max-tl3", K::input), (B{{0, 125}, {125, 125}}));
    EXPECT_EQ(blocks("growatt/tl-v3", K::input), (B{{0, 45}, {45, 45}}));
    EXPECT_EQ(blocks("growatt/tl-v3", K::holding), (B{{0, 45}, {45, 45}}));
}

TEST(ShineStick, APointAcrossABlockBoundaryTakesBothBlocks) {
    profile::Point p;
    p.kind = modbus::RegisterKind::input;
    p.address = 124;
    p.format.type = codec::Type::int32;
    EXPECT_EQ(stick_blocks({p}, modbus::RegisterKind::input, 125),
              (std::vector<StickBlock>{{0, 125}, {125, 125}}));
    EXPECT_TRUE(stick_blocks({p}, modbus::RegisterKind::holding, 125).empty());
}

}  // namespace
}  // namespace regpoll::sim
