#include "plan/block_planner.hpp"

#include <algorithm>
#include <map>

namespace regpoll::plan {
namespace {

// Whether a write-only point ("read": false) of `kind` lies in [from, to): a gap a block
// must not bridge, since the device refuses reads of it.
bool write_only_between(const std::vector<profile::Point>& points, modbus::RegisterKind kind,
                        std::uint32_t from, std::uint32_t to) {
    return std::any_of(points.begin(), points.end(), [&](const profile::Point& q) {
        return !q.readable && q.kind == kind && q.address < to && q.address + q.width() > from;
    });
}

}  // namespace

std::vector<Block> plan_blocks(const std::vector<profile::Point>& points,
                               std::span<const std::size_t> selected, const profile::Limits& limits) {
    std::vector<std::size_t> order(selected.begin(), selected.end());
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& pa = points[a];
        const auto& pb = points[b];
        return std::tie(pa.kind, pa.address, a) < std::tie(pb.kind, pb.address, b);
    });
    std::vector<Block> blocks;
    std::uint32_t end = 0;  // one past the last register of the open block
    for (std::size_t index : order) {
        const auto& p = points[index];
        const std::uint32_t p_end = p.address + static_cast<std::uint32_t>(p.width());
        const std::uint32_t limit = modbus::is_bit_kind(p.kind) ? limits.max_bits : limits.max_registers;
        if (!blocks.empty()) {
            Block& open = blocks.back();
            const std::uint32_t gap = p.address > end ? p.address - end : 0;
            const std::uint32_t new_end = std::max(end, p_end);
            if (open.kind == p.kind && gap <= limits.max_gap && new_end - open.address <= limit &&
                (gap == 0 || !write_only_between(points, p.kind, end, p.address))) {
                open.points.push_back(index);
                end = new_end;
                open.count = static_cast<std::uint16_t>(end - open.address);
                continue;
            }
        }
        blocks.push_back(Block{p.kind, p.address, static_cast<std::uint16_t>(p_end - p.address), {index}});
        end = p_end;
    }
    return blocks;
}

std::vector<Block> split_block(const Block& block, const std::vector<profile::Point>& points) {
    if (block.points.size() < 2) return {};
    std::vector<std::size_t> order = block.points;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return points[a].address < points[b].address; });
    // Cut at the widest unmapped gap (the likeliest cause of a rejection); with no gaps,
    // in the middle.
    std::size_t cut = order.size() / 2;
    std::uint32_t widest = 0;
    std::uint32_t end = points[order[0]].address + static_cast<std::uint32_t>(points[order[0]].width());
    for (std::size_t i = 1; i < order.size(); ++i) {
        const auto& p = points[order[i]];
        if (p.address > end && p.address - end > widest) {
            widest = p.address - end;
            cut = i;
        }
        end = std::max(end, p.address + static_cast<std::uint32_t>(p.width()));
    }
    profile::Limits whole;  // each half stays one block
    whole.max_gap = 0xFFFF;
    whole.max_registers = block.count;
    whole.max_bits = block.count;
    auto first = plan_blocks(points, std::span<const std::size_t>(order).first(cut), whole);
    auto second = plan_blocks(points, std::span<const std::size_t>(order).subspan(cut), whole);
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

std::size_t DevicePlan::requests() const {
    std::size_t n = 0;
    for (const auto& g : groups) n += g.blocks.size();
    return n;
}

std::size_t DevicePlan::registers() const {
    std::size_t n = 0;
    for (const auto& g : groups) {
        for (const auto& b : g.blocks) n += b.count;
    }
    return n;
}

DevicePlan plan_device(const std::vector<profile::Point>& points, std::chrono::milliseconds device_interval,
                       const profile::Limits& limits, bool keep_slow_scales) {
    std::map<std::chrono::milliseconds, std::vector<std::size_t>> by_interval;
    auto interval_of = [&](std::size_t i) { return points[i].interval.value_or(device_interval); };
    for (std::size_t i = 0; i < points.size(); ++i) {
        // A write-only point ("read": false) is in no group: nothing polls it.
        if (points[i].readable) by_interval[interval_of(i)].push_back(i);
    }
    DevicePlan plan;
    for (auto& [interval, members] : by_interval) {
        PollGroup group;
        group.interval = interval;
        group.points = members;
        // A point scaled by another point's value needs that point read in the same cycle,
        // or, when the scale point is polled more slowly (interval 0, back to back, is the
        // fastest of all), the value its own group read last.
        std::vector<std::size_t> reads = members;
        std::vector<std::size_t> slow;
        for (std::size_t i : members) {
            if (points[i].scale_register.empty()) continue;
            for (std::size_t j = 0; j < points.size(); ++j) {
                if (points[j].name != points[i].scale_register) continue;
                auto& into = keep_slow_scales && interval_of(j) > interval ? slow : reads;
                if (std::find(into.begin(), into.end(), j) == into.end()) into.push_back(j);
            }
        }
        group.blocks = plan_blocks(points, reads, limits);
        if (!slow.empty()) {
            // Kept only where that saves requests: a scale factor inside the blocks read
            // anyway (or bridging two of them) comes along, fresh, at no cost.
            std::vector<std::size_t> along = reads;
            along.insert(along.end(), slow.begin(), slow.end());
            auto with = plan_blocks(points, along, limits);
            if (with.size() <= group.blocks.size()) {
                group.blocks = std::move(with);
            } else {
                group.kept = std::move(slow);
            }
        }
        plan.groups.push_back(std::move(group));
    }
    return plan;
}

}  // namespace regpoll::plan
