#pragma once
// Points and devices made by hand for the simulator's unit tests, and reading a unit's
// tables the way the poller reads a device: plan, read every block, decode_group.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "plan/block_planner.hpp"
#include "poll/point_decoder.hpp"
#include "profile/point.hpp"
#include "server/data_tables.hpp"

namespace regpoll::sim::test {

inline profile::Point point(std::string name, std::uint16_t address,
                            codec::Type type = codec::Type::uint16) {
    profile::Point p;
    p.name = std::move(name);
    p.kind = modbus::RegisterKind::holding;
    p.address = address;
    p.format.type = type;
    return p;
}

// What `regpoll run` would output for every point of `points` read from `tables`.
inline std::map<std::string, poll::Sample> poll_tables(const std::vector<profile::Point>& points,
                                                       const server::UnitTables& tables,
                                                       const profile::Limits& limits = {}) {
    static const std::string device = "dev";
    const auto plan = plan::plan_device(points, std::chrono::seconds(10), limits);
    std::map<std::string, poll::Sample> out;
    for (const auto& group : plan.groups) {
        std::vector<poll::BlockData> blocks;
        for (const auto& block : group.blocks) {
            poll::BlockData data;
            if (modbus::is_bit_kind(block.kind)) {
                auto bits = tables.bits(block.kind, block.address, block.count);
                data.ok = bits.has_value();
                if (bits) data.bits = *bits;
            } else {
                auto regs = tables.registers(block.kind, block.address, block.count);
                data.ok = regs.has_value();
                if (regs) data.registers = *regs;
            }
            EXPECT_TRUE(data.ok) << "block at " << block.address << " (" << block.count
                                 << ") is not mapped";
            blocks.push_back(std::move(data));
        }
        std::vector<poll::Sample> samples;
        const auto errors = poll::decode_group(points, group, blocks, 0, device, samples);
        for (const auto& e : errors) ADD_FAILURE() << points[e.point].name << ": " << e.message;
        for (auto& s : samples) out[*s.point] = s;
    }
    return out;
}

}  // namespace regpoll::sim::test
