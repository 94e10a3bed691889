#pragma once
// Request planning as a pure function: a device's points become the fewest legal read
// requests. Points of one register kind merge into blocks within the device's limits
// (max registers or bits per read), bridging unmapped gaps up to max_gap.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "profile/point.hpp"

namespace regpoll::plan {

struct Block {
    modbus::RegisterKind kind = modbus::RegisterKind::holding;
    std::uint16_t address = 0;
    std::uint16_t count = 0;             // registers or bits
    std::vector<std::size_t> points;     // indices into the device's points
};

// Blocks covering the `selected` points (indices into `points`).
std::vector<Block> plan_blocks(const std::vector<profile::Point>& points,
                               std::span<const std::size_t> selected, const profile::Limits& limits);

// Splits a block the device rejected into two blocks along its points (no unmapped
// registers read in between). Empty when the block holds a single point.
std::vector<Block> split_block(const Block& block, const std::vector<profile::Point>& points);

// Points polled together at one interval, and the blocks that read them.
struct PollGroup {
    std::chrono::milliseconds interval{0};
    std::vector<std::size_t> points;   // what this group emits
    std::vector<Block> blocks;         // includes scale-factor points the group needs
    // Scale-factor points this group's points need but does not read: they belong to a
    // slower group (a SunSpec static scale factor read once a day), and the poller decodes
    // with the value that group read last.
    std::vector<std::size_t> kept;
};

struct DevicePlan {
    std::vector<PollGroup> groups;     // sorted by interval, fastest first
    std::size_t requests() const;      // per cycle of every group
    std::size_t registers() const;     // registers and bits touched, per cycle of every group
};

// Write-only points ("read": false) are left out of every group.
// `keep_slow_scales`: a scale register polled at a slower interval than a point it scales is
// read at its own interval and kept in between (false: read with every point that needs it,
// as `run --once` must, having no earlier cycle to keep a value from).
DevicePlan plan_device(const std::vector<profile::Point>& points, std::chrono::milliseconds device_interval,
                       const profile::Limits& limits, bool keep_slow_scales = true);

}  // namespace regpoll::plan
