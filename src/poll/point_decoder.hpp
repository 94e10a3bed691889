#pragma once
// Turns the data of one poll cycle (the registers or bits of each block) into samples:
// bit selection, "not available" sentinels, decoding, scale registers, maps, precision.
// Pure: no I/O, no clock.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plan/block_planner.hpp"
#include "poll/sample.hpp"

namespace regpoll::poll {

struct BlockData {
    std::vector<std::uint16_t> registers;  // register blocks
    std::vector<bool> bits;                // bit blocks
    bool ok = false;                       // false: the read failed, its points are skipped
};

struct DecodeError {
    std::size_t point;
    std::string message;
};

// The registers of the scale-factor points a group keeps from slower groups (group.kept),
// by point index; a point not in it has not been read yet.
using KeptScales = std::map<std::size_t, std::vector<std::uint16_t>>;

// Decodes the group's points. `blocks` parallels group.blocks. Appends samples to `out`;
// points whose data is missing or undecodable are reported in the result, never guessed.
std::vector<DecodeError> decode_group(const std::vector<profile::Point>& points, const plan::PollGroup& group,
                                      const std::vector<BlockData>& blocks, std::int64_t ts_ms,
                                      const std::string& device, std::vector<Sample>& out,
                                      const KeptScales* kept = nullptr);

// Point `index`'s registers in a cycle's data; nullopt when no block of the group that
// answered holds them.
std::optional<std::span<const std::uint16_t>> point_registers(const std::vector<profile::Point>& points,
                                                              const plan::PollGroup& group,
                                                              const std::vector<BlockData>& blocks,
                                                              std::size_t index);

// The value as regpoll reports it: rounded to the point's `precision`, or to the shortest
// decimal its type carries (the last step of decode_point; the simulator uses it too).
codec::Value display_value(codec::Value value, const profile::Point& point);

// A coil or discrete input as its point reports it: the bool, or its text when the point
// has a map (as for a bit of a register).
codec::Value bit_value(const profile::Point& point, bool bit);

// One point from its registers (exactly point.width() of them) — also used to read a
// point back after a write. `scale_exponent` comes from the point's scale_register.
codec::Value decode_point(const profile::Point& point, std::span<const std::uint16_t> registers,
                          std::optional<std::int64_t> scale_exponent, Quality& quality, std::string& error);

}  // namespace regpoll::poll
