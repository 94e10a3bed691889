#pragma once
// Where each point of a model sits on one device: repeating groups expanded with the
// device's own counts (a count point, or "fill the rest of L"), scale-factor links resolved
// to the point instance they name (its own group first, then the enclosing ones).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "sunspec/model_table.hpp"

namespace regpoll::sunspec {

struct PlacedPoint {
    const PointDef* def = nullptr;
    std::uint16_t offset = 0;       // registers from the model's ID register
    std::string path;               // "W", "module[2].DCA", "Crv[1].Pt[3].V"
    std::optional<std::size_t> sf;  // index in ModelLayout::points of the exponent
};

struct ModelLayout {
    const ModelDef* def = nullptr;
    std::uint16_t length = 0;         // the device's L
    std::vector<PlacedPoint> points;  // ID and L included, in address order
    std::vector<std::string> notes;   // what did not fit the device's L, and why
    // Offsets of the registers whose values gave a group its number of repeats: the only
    // registers besides L that the placement depends on.
    std::vector<std::uint16_t> count_offsets;
};

// `regs` holds the model as the device sent it: ID, L, then L registers. Points that do not
// fit in the device's L are left out with a note; counts the device reports are checked
// against L. An error only when nothing sensible can be placed.
// `until`: only the points that start before this offset are placed (reading a long model
// needs its boundaries a few pieces ahead, not all of them).
Expected<ModelLayout, std::string> lay_out(const ModelDef& def, std::span<const std::uint16_t> regs,
                                           std::size_t until = SIZE_MAX);

// Lower-case, '_'-joined form of a path for profile point names: "module[2].DCA" →
// "module_2_dca".
std::string snake_name(const std::string& path);

}  // namespace regpoll::sunspec
