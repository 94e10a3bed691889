#include "sunspec/model_body.hpp"

#include <algorithm>

#include "codec/value_codec.hpp"
#include "modbus/error.hpp"
#include "sunspec/point_value.hpp"

namespace regpoll::sunspec {

namespace {

constexpr std::size_t max_read = 125;

// Point boundaries of the model as laid out from what has been read so far (the rest is
// zeros until read: counts sit before the groups they count, so they are known in time).
std::vector<std::size_t> boundaries_of(const ModelDef* def, std::vector<std::uint16_t> regs,
                                       std::size_t total) {
    std::vector<std::size_t> out{total};
    if (!def) return out;
    regs.resize(total, 0);
    auto layout = lay_out(*def, regs);
    if (!layout) return out;
    for (const auto& p : layout->points) {
        out.push_back(p.offset);
        out.push_back(p.offset + p.def->size);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string where(std::uint16_t id, std::uint16_t at) {
    return "model " + std::to_string(id) + " at " + std::to_string(at);
}

}  // namespace

std::size_t piece_end(const std::vector<std::size_t>& boundaries, std::size_t start,
                      std::size_t max) {
    std::size_t best = start;
    for (auto b : boundaries) {
        if (b > start && b <= start + max) best = std::max(best, b);
    }
    return best > start ? best : start + max;
}

Expected<DiscoveredModel> read_model(const RegisterReader& read, std::uint16_t id, std::uint16_t at,
                                     std::vector<std::string>& notes) {
    auto len = read(static_cast<std::uint16_t>(at + 1), 1);
    if (!len) return Unexpected(len.error());
    if (len->size() != 1) return Unexpected(make_error_code(modbus::Errc::byte_count_mismatch));
    DiscoveredModel m;
    m.id = id;
    m.address = at;
    m.length = (*len)[0];
    m.def = find_model(id);
    if (at + 2u + m.length > 0x10000u) {
        notes.push_back(where(id, at) + ": L = " + std::to_string(m.length) +
                        " runs past address 65535");
        return Unexpected(make_error_code(modbus::Errc::malformed_frame));
    }
    m.spec_length = m.def ? spec_length(*m.def) : 0;
    if (m.spec_length != 0 && m.spec_length != m.length) {
        notes.push_back(where(id, at) + ": L is " + std::to_string(m.length) +
                        ", the specification says " + std::to_string(m.spec_length));
    }
    if (!m.def) notes.push_back(where(id, at) + ": unknown model, skipped");
    const std::size_t total = m.length + 2u;
    m.regs = {id, m.length};
    while (m.regs.size() < total) {
        const std::size_t start = m.regs.size();
        const std::size_t end =
            std::min(total, piece_end(boundaries_of(m.def, m.regs, total), start, max_read));
        auto piece =
            read(static_cast<std::uint16_t>(at + start), static_cast<std::uint16_t>(end - start));
        if (!piece) return Unexpected(piece.error());
        if (piece->size() != end - start) {
            return Unexpected(make_error_code(modbus::Errc::byte_count_mismatch));
        }
        m.regs.insert(m.regs.end(), piece->begin(), piece->end());
    }
    if (m.def) {
        auto layout = lay_out(*m.def, m.regs);
        if (layout) {
            for (const auto& n : layout->notes) notes.push_back(where(id, at) + ": " + n);
            m.layout = std::move(*layout);
        } else {
            notes.push_back(where(id, at) + ": " + layout.error());
        }
    }
    return m;
}

std::string text_point(const DiscoveredModel& model, const std::string& name) {
    for (const auto& p : model.layout.points) {
        if (p.path != name || p.def->type != PointType::string) continue;
        auto regs = std::span<const std::uint16_t>(model.regs).subspan(p.offset, p.def->size);
        auto v = codec::decode(regs, *codec_format(*p.def));
        if (v && std::holds_alternative<std::string>(*v)) return std::get<std::string>(*v);
    }
    return "";
}

}  // namespace regpoll::sunspec
