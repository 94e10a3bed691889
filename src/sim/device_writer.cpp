#include "sim/device_writer.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "codec/types.hpp"
#include "poll/point_decoder.hpp"
#include "sim/point_encoder.hpp"

namespace regpoll::sim {
namespace {

using profile::Point;

constexpr int lowest_exponent = -3;
constexpr int highest_exponent = 9;

bool is_masked(const Point& p) {
    return p.bit.has_value() || p.format.type == codec::Type::int8 ||
           p.format.type == codec::Type::uint8;
}

bool overlaps(const Point& a, const Point& b) {
    return a.kind == b.kind && a.address < b.address + b.width() &&
           b.address < a.address + a.width();
}

std::uint16_t mask_of(const Point& p) {
    if (p.bit) return static_cast<std::uint16_t>(1U << *p.bit);
    if (p.format.type == codec::Type::int8 || p.format.type == codec::Type::uint8) {
        return p.format.byte == codec::RegisterByte::high ? 0xFF00 : 0x00FF;
    }
    return 0xFFFF;
}

bool numeric_user(const Point& p) {
    return p.map.empty() && p.format.type != codec::Type::string && !p.bit;
}

}  // namespace

DeviceWriter::DeviceWriter(std::vector<Point> points, profile::Limits limits)
    : points_(std::move(points)),
      limits_(limits),
      scale_factor_(points_.size()),
      scale_users_(points_.size()),
      derived_(points_.size(), false),
      exponent_(points_.size()),
      sf_available_(points_.size(), true),
      written_(points_.size()),
      written_bit_(points_.size()),
      held_(points_.size(), false) {
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < points_.size(); ++i) by_name.emplace(points_[i].name, i);
    for (std::size_t i = 0; i < points_.size(); ++i) {
        if (points_[i].scale_register.empty()) continue;
        if (auto it = by_name.find(points_[i].scale_register); it != by_name.end()) {
            scale_factor_[i] = it->second;
            scale_users_[it->second].push_back(i);
        }
    }
    // A later full view of registers an earlier point writes in full reads them back; a
    // full register that also holds bits or bytes of other points is read back too.
    for (std::size_t j = 0; j < points_.size(); ++j) {
        for (std::size_t i = 0; i < points_.size() && !derived_[j]; ++i) {
            if (i == j || !overlaps(points_[i], points_[j]) || is_masked(points_[j])) continue;
            if (is_masked(points_[i]) || i < j) derived_[j] = true;
        }
    }
}

void DeviceWriter::map(server::UnitTables& tables) const {
    std::map<modbus::RegisterKind, std::vector<std::pair<std::uint32_t, std::uint32_t>>> ranges;
    for (const auto& p : points_) {
        tables.map(p.kind, p.address, static_cast<std::uint32_t>(p.width()));
        ranges[p.kind].emplace_back(p.address, p.address + static_cast<std::uint32_t>(p.width()));
    }
    for (auto& [kind, list] : ranges) {
        std::sort(list.begin(), list.end());
        std::uint32_t end = list.front().second;
        for (const auto& [start, stop] : list) {
            if (start > end && start - end <= limits_.max_gap) tables.map(kind, end, start - end);
            end = std::max(end, stop);
        }
    }
}

int DeviceWriter::choose_exponent(std::size_t sf, const std::vector<codec::Value>& values) const {
    for (int e = exponent_[sf].value_or(lowest_exponent); e < highest_exponent; ++e) {
        const bool all_fit =
            std::all_of(scale_users_[sf].begin(), scale_users_[sf].end(), [&](std::size_t u) {
                const auto d = codec::to_double(values[u]);
                return held_[u] || derived_[u] || !numeric_user(points_[u]) || !d ||
                       fits_with_exponent(points_[u], *d, e);
            });
        if (all_fit) return e;
    }
    return highest_exponent;
}

bool DeviceWriter::held_by_client(std::size_t index, const server::UnitTables& tables) const {
    const Point& p = points_[index];
    if (modbus::is_bit_kind(p.kind)) {
        if (!written_bit_[index]) return false;
        auto bits = tables.bits(p.kind, p.address, 1);
        return bits && (*bits)[0] != *written_bit_[index];
    }
    if (written_[index].empty()) return false;
    auto regs = tables.registers(p.kind, p.address, static_cast<std::uint16_t>(p.width()));
    if (!regs) return false;
    if (regs->size() == 1) (*regs)[0] &= mask_of(p);
    return *regs != written_[index];
}

std::optional<codec::Value> DeviceWriter::put(std::size_t index, const codec::Value& value,
                                              int exponent, server::UnitTables& tables,
                                              std::vector<std::string>& problems) {
    const Point& p = points_[index];
    auto encoded = encode_point(p, value, exponent);
    if (!encoded) {
        const std::string problem = p.name + ": " + encoded.error();
        if (reported_.insert(problem).second) problems.push_back(problem);
        return std::nullopt;
    }
    if (modbus::is_bit_kind(p.kind)) {
        tables.set_bits(p.kind, p.address, {encoded->bit});
        written_bit_[index] = encoded->bit;
        return std::move(encoded->intended);
    }
    std::vector<std::uint16_t> regs = std::move(encoded->registers);
    const std::uint16_t mask = encoded->mask;
    if (mask != 0xFFFF) {
        const auto current = tables.registers(p.kind, p.address, 1);
        const std::uint16_t old = current ? (*current)[0] : 0;
        regs[0] = static_cast<std::uint16_t>((old & ~mask) | (regs[0] & mask));
    }
    tables.set_registers(p.kind, p.address, regs);
    if (regs.size() == 1) regs[0] &= mask;
    written_[index] = std::move(regs);
    return std::move(encoded->intended);
}

codec::Value DeviceWriter::read_back(std::size_t index, const server::UnitTables& tables,
                                     std::optional<std::int64_t> exponent) const {
    const Point& p = points_[index];
    if (modbus::is_bit_kind(p.kind)) {
        auto bits = tables.bits(p.kind, p.address, 1);
        return bits ? poll::bit_value(p, (*bits)[0]) : codec::Value();
    }
    auto regs = tables.registers(p.kind, p.address, static_cast<std::uint16_t>(p.width()));
    if (!regs) return {};
    poll::Quality quality;
    std::string error;
    return poll::decode_point(p, *regs, exponent, quality, error);
}

std::vector<codec::Value> DeviceWriter::write(const std::vector<codec::Value>& values,
                                              server::UnitTables& tables,
                                              std::vector<std::string>& problems) {
    const std::size_t n = points_.size();
    // What the encoder says each written point decodes to; empty: read back below.
    std::vector<std::optional<codec::Value>> intended(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (!held_[i] && held_by_client(i, tables)) held_[i] = true;
    }
    for (std::size_t sf = 0; sf < n; ++sf) {
        if (!is_scale_factor(sf)) continue;
        if (held_[sf]) {  // a client wrote the exponent: the values follow it
            if (auto d = codec::to_double(read_back(sf, tables, std::nullopt)))
                exponent_[sf] = static_cast<int>(*d);
            continue;
        }
        if (given_.count(sf)) {
            sf_available_[sf] = codec::is_available(values[sf]);
            if (sf_available_[sf]) {
                exponent_[sf] =
                    static_cast<int>(std::llround(codec::to_double(values[sf]).value_or(0)));
            }
        } else {
            exponent_[sf] = choose_exponent(sf, values);
        }
        const codec::Value sf_value =
            sf_available_[sf] ? codec::Value(std::int64_t{*exponent_[sf]}) : codec::Value();
        intended[sf] = put(sf, sf_value, 0, tables, problems);
    }
    // Whole registers first, then the bits and bytes that share registers with others.
    for (bool masked_pass : {false, true}) {
        for (std::size_t i = 0; i < n; ++i) {
            if (is_scale_factor(i) || derived_[i] || held_[i] ||
                is_masked(points_[i]) != masked_pass)
                continue;
            const auto sf = scale_factor_[i];
            const int exponent = sf && exponent_[*sf] ? *exponent_[*sf] : 0;
            intended[i] = put(i, values[i], exponent, tables, problems);
        }
    }
    std::vector<codec::Value> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto sf = scale_factor_[i];
        std::optional<std::int64_t> exponent;
        if (sf) {
            // The poller reads the scale factor first: "not available" there makes the
            // value "not available" whatever its own registers say.
            const codec::Value sf_value =
                intended[*sf] ? *intended[*sf] : read_back(*sf, tables, std::nullopt);
            const auto d = codec::to_double(sf_value);
            if (!d) continue;
            exponent = static_cast<std::int64_t>(*d);
        }
        out[i] = intended[i] ? std::move(*intended[i]) : read_back(i, tables, exponent);
    }
    return out;
}

}  // namespace regpoll::sim
