#include "poll/pushed_record.hpp"

#include <ctime>

#include "shine/settings.hpp"

namespace regpoll::poll {
namespace {

constexpr std::int64_t hour_ms = 3600LL * 1000;
constexpr std::int64_t day_ms = 24 * hour_ms;

const shine::RegisterBlock* block_holding(const std::vector<shine::RegisterBlock>& blocks,
                                          std::size_t first, std::size_t count) {
    for (const auto& b : blocks) {
        if (first >= b.first && first + count <= b.first + b.values.size()) return &b;
    }
    return nullptr;
}

}  // namespace

modbus::RegisterKind pushed_kind(std::uint8_t record_type) {
    return record_type == static_cast<std::uint8_t>(shine::RecordType::announce)
               ? modbus::RegisterKind::holding
               : modbus::RegisterKind::input;
}

std::vector<DecodeError> decode_pushed_blocks(const std::vector<profile::Point>& points,
                                              modbus::RegisterKind kind,
                                              const std::vector<shine::RegisterBlock>& blocks,
                                              std::int64_t ts_ms, const std::string& device,
                                              std::vector<Sample>& out) {
    // One plan block and one "response" per record block; each point goes to the block
    // that holds all its registers, as the planner would have put it.
    plan::PollGroup group;
    std::vector<BlockData> data;
    for (const auto& b : blocks) {
        group.blocks.push_back(
            plan::Block{kind, b.first, static_cast<std::uint16_t>(b.values.size()), {}});
        data.push_back(BlockData{b.values, {}, true});
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (p.kind != kind) continue;
        const auto* b = block_holding(blocks, p.address, p.width());
        if (!b) continue;
        group.blocks[static_cast<std::size_t>(b - blocks.data())].points.push_back(i);
        group.points.push_back(i);
    }
    return decode_group(points, group, data, ts_ms, device, out);
}

std::optional<std::int64_t> record_time_ms(const std::optional<shine::RecordTime>& time,
                                           std::optional<int> utc_offset_minutes,
                                           std::int64_t arrival_ms, bool buffered) {
    if (!time) return std::nullopt;
    const auto& t = *time;
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
        t.second > 59) {
        return std::nullopt;
    }
    std::tm tm = shine::clock_tm(t);
    std::time_t seconds;
    if (utc_offset_minutes) {
        seconds = timegm(&tm) - static_cast<std::time_t>(*utc_offset_minutes) * 60;
    } else {
        tm.tm_isdst = -1;  // the host's rules decide
        seconds = std::mktime(&tm);
    }
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    const std::int64_t ms = static_cast<std::int64_t>(seconds) * 1000;
    const std::int64_t behind = buffered ? 30 * day_ms : hour_ms;
    if (ms > arrival_ms + hour_ms || ms < arrival_ms - behind) return std::nullopt;
    return ms;
}

}  // namespace regpoll::poll
