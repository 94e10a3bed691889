#include "gateway/point_write_filter.hpp"

#include <vector>

#include "codec/value.hpp"
#include "poll/point_decoder.hpp"
#include "poll/write_request.hpp"

namespace regpoll::gateway {
namespace {

using modbus::Errc;
using modbus::get_u16;
using modbus::RegisterKind;

// The values the request writes, one per register or coil, from the range's first address.
std::vector<std::uint16_t> written_values(std::span<const std::uint8_t> pdu,
                                          const poll::WrittenRange& range) {
    std::vector<std::uint16_t> values(range.count);
    switch (pdu[0]) {
        case 5:
            values[0] = get_u16(pdu, 3) == 0xFF00 ? 1 : 0;
            break;
        case 6:
            values[0] = get_u16(pdu, 3);
            break;
        case 15:
            for (std::size_t i = 0; i < range.count; ++i)
                values[i] = (pdu[6 + i / 8] >> (i % 8)) & 1U;
            break;
        default: {  // FC16 from byte 6, FC23 from byte 10
            const std::size_t at = pdu[0] == 16 ? 6 : 10;
            for (std::size_t i = 0; i < range.count; ++i) values[i] = get_u16(pdu, at + 2 * i);
        }
    }
    return values;
}

bool overlaps(const profile::Point& p, const poll::WrittenRange& range) {
    const auto kind = range.kind;
    if (p.kind != kind) return false;
    const std::uint32_t first = p.address;
    const std::uint32_t end = first + static_cast<std::uint32_t>(p.width());
    return first < range.address + static_cast<std::uint32_t>(range.count) && range.address < end;
}

bool inside(const profile::Point& p, const poll::WrittenRange& range) {
    return p.address >= range.address &&
           p.address + p.width() <= range.address + static_cast<std::size_t>(range.count);
}

// The point's scale exponent from the held values (any age), when it has a scale register.
std::optional<std::int64_t> scale_of(const profile::DeviceConfig& device, const profile::Point& p,
                                     const poll::HeldRegisters& held, bool& missing) {
    if (p.scale_register.empty()) return std::nullopt;
    const auto* sp = device.point(p.scale_register);
    std::vector<std::uint16_t> regs(sp ? sp->width() : 0);
    if (!sp || !held.read(sp->kind, sp->address, regs, {})) {
        missing = true;
        return std::nullopt;
    }
    poll::Quality quality{};
    std::string error;
    const auto v = codec::to_double(poll::decode_point(*sp, regs, std::nullopt, quality, error));
    if (!v) missing = true;
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
}

// The value written to `p` (wholly inside the range) against the point's limits.
std::optional<WriteVerdict> check_value(const profile::DeviceConfig& device,
                                        const profile::Point& p, const poll::HeldRegisters& held,
                                        std::span<const std::uint16_t> values) {
    bool missing_scale = false;
    const auto scale = scale_of(device, p, held, missing_scale);
    if (missing_scale) {
        return WriteVerdict{Errc::illegal_data_value, "point " + p.name + ": its scale register " +
                                                          p.scale_register +
                                                          " has not been read yet"};
    }
    poll::Quality quality{};
    std::string error;
    codec::Value value;
    if (p.kind == RegisterKind::coil)
        value = values[0] != 0;
    else
        value = poll::decode_point(p, values, scale, quality, error);
    if (!error.empty() || !codec::is_available(value)) {
        return WriteVerdict{Errc::illegal_data_value,
                            "point " + p.name + ": " + (error.empty() ? "not a value" : error)};
    }
    if (!p.map.empty() && !std::holds_alternative<std::string>(value)) {
        return WriteVerdict{Errc::illegal_data_value, "point " + p.name + ": " +
                                                          codec::format_value(value) +
                                                          " is not one of its listed values"};
    }
    if (auto why = poll::check_write_range(p, value))
        return WriteVerdict{Errc::illegal_data_value, *why};
    return std::nullopt;
}

}  // namespace

std::optional<WriteVerdict> check_point_write(const profile::DeviceConfig& device,
                                              const poll::HeldRegisters& held,
                                              std::span<const std::uint8_t> pdu) {
    const auto range = poll::written_range(pdu);
    if (!range || range->count == 0) return WriteVerdict{Errc::illegal_data_value, "not a write"};
    const auto values = written_values(pdu, *range);
    std::vector<bool> covered(range->count, false);
    for (const auto& p : device.points) {
        if (!overlaps(p, *range)) continue;
        if (!device.allows_write(p)) {
            return WriteVerdict{Errc::illegal_data_address,
                                "point " + p.name + " may not be written"};
        }
        if (!inside(p, *range)) {
            return WriteVerdict{Errc::illegal_data_address,
                                "point " + p.name + " would be written only in part"};
        }
        const std::size_t offset = p.address - range->address;
        for (std::size_t i = 0; i < p.width(); ++i) covered[offset + i] = true;
        const std::span<const std::uint16_t> own(values.data() + offset, p.width());
        if (auto verdict = check_value(device, p, held, own)) return verdict;
    }
    for (std::size_t i = 0; i < covered.size(); ++i) {
        if (!covered[i]) {
            return WriteVerdict{
                Errc::illegal_data_address,
                "address " + std::to_string(range->address + i) + " belongs to no writable point"};
        }
    }
    return std::nullopt;
}

}  // namespace regpoll::gateway
