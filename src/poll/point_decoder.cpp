#include "poll/point_decoder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "codec/value_codec.hpp"
#include "codec/words.hpp"

namespace regpoll::poll {

const char* quality_name(Quality q) { return q == Quality::good ? "good" : "unavailable"; }

namespace {

// The raw integer of the point's width after byte/word ordering, as nan lists give it.
std::uint64_t raw_bits(const profile::Point& p, std::span<const std::uint16_t> regs) {
    return codec::read_bits(regs, p.format.byte_order, p.format.word_order);
}

// Values as a person reads them: with `precision`, rounded to that many decimals; without,
// a float32 shows the shortest decimal that is the same float (230.1, not
// 230.10000610351562), and scaled integers lose binary noise (123.4, not
// 123.40000000000001).
// A decoder plugin's number gets the point's scale and offset, as codec types do.
codec::Value scaled(codec::Value v, const codec::Format& f) {
    if (f.is_unscaled()) return v;
    if (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<std::uint64_t>(v) ||
        std::holds_alternative<double>(v)) {
        return *codec::to_double(v) * f.scale + f.offset;
    }
    return v;
}

}  // namespace

codec::Value display_value(codec::Value v, const profile::Point& p) {
    auto* d = std::get_if<double>(&v);
    if (!d || !std::isfinite(*d)) return v;
    if (p.precision) {
        const double f = std::pow(10.0, *p.precision);
        *d = std::round(*d * f) / f;
        return v;
    }
    char buf[64];
    if (p.format.type == codec::Type::float32 && p.format.is_unscaled()) {
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<float>(*d));
        if (ec == std::errc{}) std::from_chars(buf, end, *d);
    } else if (p.format.type != codec::Type::float64 && (!p.format.is_unscaled() || !p.scale_register.empty())) {
        std::snprintf(buf, sizeof buf, "%.15g", *d);
        *d = std::strtod(buf, nullptr);
    }
    return v;
}

codec::Value bit_value(const profile::Point& p, bool bit) {
    if (p.map.empty()) return bit;
    auto it = p.map.find(bit ? 1 : 0);
    return it != p.map.end() ? codec::Value(it->second) : codec::Value(std::string(bit ? "1" : "0"));
}

codec::Value decode_point(const profile::Point& p, std::span<const std::uint16_t> regs,
                          std::optional<std::int64_t> scale_exponent, Quality& quality, std::string& error) {
    quality = Quality::good;
    if (p.format.type != codec::Type::string && !p.nan.empty() && regs.size() <= 4) {
        const std::uint64_t raw = raw_bits(p, regs);
        for (std::uint64_t n : p.nan) {
            if (n == raw) {
                quality = Quality::unavailable;
                return std::monostate{};
            }
        }
    }
    codec::Value value;
    if (p.bit) {
        value = static_cast<bool>((regs[0] >> *p.bit) & 1U);
    } else if (p.decoder) {
        value = p.decoder->decode(regs, error);
        if (!error.empty()) return std::monostate{};
        if (!codec::is_available(value)) {
            quality = Quality::unavailable;  // the decoder's own "not available"
            return value;
        }
        value = scaled(std::move(value), p.format);
    } else {
        auto decoded = codec::decode(regs, p.format);
        if (!decoded) {
            error = decoded.error();
            return std::monostate{};
        }
        value = std::move(*decoded);
    }
    if (!p.map.empty()) {
        std::optional<std::int64_t> key;
        if (auto* i = std::get_if<std::int64_t>(&value)) key = *i;
        if (auto* u = std::get_if<std::uint64_t>(&value)) key = static_cast<std::int64_t>(*u);
        if (auto* b = std::get_if<bool>(&value)) key = *b ? 1 : 0;
        if (key) {
            auto it = p.map.find(*key);
            return it != p.map.end() ? codec::Value(it->second) : codec::Value(std::to_string(*key));
        }
    }
    if (!p.bits.empty()) {
        std::optional<std::uint64_t> raw;
        if (auto* i = std::get_if<std::int64_t>(&value)) raw = static_cast<std::uint64_t>(*i);
        if (auto* u = std::get_if<std::uint64_t>(&value)) raw = *u;
        if (raw) {
            std::string names;
            for (const auto& [bit, name] : p.bits) {
                if (((*raw >> bit) & 1U) != 0) names += (names.empty() ? "" : ",") + name;
            }
            return names;
        }
    }
    if (scale_exponent) {
        auto d = codec::to_double(value);
        if (!d) {
            error = "scale_register applies to numbers only";
            return std::monostate{};
        }
        value = *d * std::pow(10.0, static_cast<double>(*scale_exponent));
    }
    return display_value(std::move(value), p);
}

namespace {

// Where a point's data is in a cycle: its block and that block's data.
std::pair<const plan::Block*, const BlockData*> locate(const plan::PollGroup& group,
                                                       const std::vector<BlockData>& blocks, std::size_t point) {
    for (std::size_t b = 0; b < group.blocks.size(); ++b) {
        for (std::size_t q : group.blocks[b].points) {
            if (q == point) return {&group.blocks[b], &blocks[b]};
        }
    }
    return {nullptr, nullptr};
}

}  // namespace

std::optional<std::span<const std::uint16_t>> point_registers(const std::vector<profile::Point>& points,
                                                              const plan::PollGroup& group,
                                                              const std::vector<BlockData>& blocks,
                                                              std::size_t index) {
    auto [block, data] = locate(group, blocks, index);
    if (!block || !data->ok) return std::nullopt;
    const std::size_t offset = points[index].address - block->address;
    return std::span<const std::uint16_t>(data->registers).subspan(offset, points[index].width());
}

std::vector<DecodeError> decode_group(const std::vector<profile::Point>& points, const plan::PollGroup& group,
                                      const std::vector<BlockData>& blocks, std::int64_t ts_ms,
                                      const std::string& device, std::vector<Sample>& out,
                                      const KeptScales* kept) {
    std::vector<DecodeError> errors;
    auto registers_of = [&](std::size_t point) -> std::optional<std::span<const std::uint16_t>> {
        if (auto regs = point_registers(points, group, blocks, point)) return regs;
        if (std::find(group.kept.begin(), group.kept.end(), point) == group.kept.end() || !kept) {
            return std::nullopt;
        }
        auto it = kept->find(point);
        if (it == kept->end()) return std::nullopt;
        return std::span<const std::uint16_t>(it->second);
    };
    for (std::size_t index : group.points) {
        const auto& p = points[index];
        auto [block, data] = locate(group, blocks, index);
        if (!block || !data->ok) continue;  // the read failed: no sample, never a stale value
        Sample s;
        s.ts_ms = ts_ms;
        s.device = &device;
        s.point = &p.name;
        s.unit = &p.unit;
        if (modbus::is_bit_kind(p.kind)) {
            s.value = bit_value(p, data->bits[p.address - block->address]);
            out.push_back(std::move(s));
            continue;
        }
        std::optional<std::int64_t> exponent;
        if (!p.scale_register.empty()) {
            std::size_t sf_index = points.size();
            for (std::size_t j = 0; j < points.size(); ++j) {
                if (points[j].name == p.scale_register) sf_index = j;
            }
            auto sf_regs = sf_index < points.size() ? registers_of(sf_index) : std::nullopt;
            if (!sf_regs) {
                const bool later = std::find(group.kept.begin(), group.kept.end(), sf_index) != group.kept.end();
                errors.push_back({index, "scale register \"" + p.scale_register +
                                             (later ? "\" has not been read yet (it is read at its own, slower interval)"
                                                    : "\" was not read")});
                continue;
            }
            Quality sf_quality;
            std::string sf_error;
            auto sf = decode_point(points[sf_index], *sf_regs, std::nullopt, sf_quality, sf_error);
            auto sf_value = codec::to_double(sf);
            if (!sf_value) {
                // SunSpec marks a scale factor "not implemented" with 0x8000: the value is n/a.
                s.value = std::monostate{};
                s.quality = Quality::unavailable;
                out.push_back(std::move(s));
                continue;
            }
            exponent = static_cast<std::int64_t>(*sf_value);
        }
        std::string error;
        s.value = decode_point(p, std::span<const std::uint16_t>(data->registers)
                                      .subspan(p.address - block->address, p.width()),
                               exponent, s.quality, error);
        if (!error.empty()) {
            errors.push_back({index, error});
            continue;
        }
        out.push_back(std::move(s));
    }
    return errors;
}

}  // namespace regpoll::poll
