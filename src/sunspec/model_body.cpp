#include "sunspec/model_body.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>

#include "codec/value_codec.hpp"
#include "modbus/error.hpp"
#include "sunspec/point_value.hpp"

namespace regpoll::sunspec {

namespace {

constexpr std::size_t max_read = 125;

// Point boundaries of a model being read, from a layout of `image` (what has been read so
// far, zeros after it) of the points that start before some offset.
struct Boundaries {
    std::vector<std::size_t> at;        // sorted, the model's end included
    std::size_t known = SIZE_MAX;       // `at` is complete up to here
    std::vector<std::uint16_t> counts;  // count registers the layout used

    // Lays the model out again, far enough for a piece from `start` and for a few more.
    // Counts sit before the groups they count, so they are read in time.
    void plan(const ModelDef* def, std::span<const std::uint16_t> image, std::size_t start) {
        at.assign(1, image.size());
        known = SIZE_MAX;
        counts.clear();
        if (!def) return;
        const std::size_t until = 2 * (start + max_read);  // doubling: linear in all
        auto layout = lay_out(*def, image, until);
        if (!layout) return;
        counts = std::move(layout->count_offsets);
        at.reserve(1 + 2 * layout->points.size());
        std::size_t last_end = 0;
        for (const auto& p : layout->points) {
            at.push_back(p.offset);
            last_end = p.offset + p.def->size;
            at.push_back(last_end);
        }
        std::sort(at.begin(), at.end());
        // Placement may have stopped at `until`: beyond the last point nothing is known.
        if (last_end >= until) known = last_end;
    }

    // The layout no longer holds after the piece [start, end): it brought a count, or the
    // next piece may end past what is laid out.
    bool stale(std::size_t start, std::size_t end) const {
        if (end + max_read > known) return true;
        return std::any_of(counts.begin(), counts.end(),
                           [&](std::size_t c) { return c >= start && c < end; });
    }
};

std::string where(std::uint16_t id, std::uint16_t at) {
    return "model " + std::to_string(id) + " at " + std::to_string(at);
}

}  // namespace

std::size_t piece_end(const std::vector<std::size_t>& boundaries, std::size_t start,
                      std::size_t max) {
    const auto after = std::upper_bound(boundaries.begin(), boundaries.end(), start + max);
    if (after != boundaries.begin() && *std::prev(after) > start) return *std::prev(after);
    return start + max;
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
    // The model as read so far, zeros after it. Its boundaries are worked out again only
    // when a piece brings a count register or reads past what is laid out (a whole layout
    // per piece made a long model quadratic to read).
    std::vector<std::uint16_t> image(total, 0);
    image[0] = id;
    image[1] = m.length;
    Boundaries boundaries;
    if (total > 2) boundaries.plan(m.def, image, 2);
    for (std::size_t start = 2; start < total;) {
        const std::size_t end = std::min(total, piece_end(boundaries.at, start, max_read));
        auto piece =
            read(static_cast<std::uint16_t>(at + start), static_cast<std::uint16_t>(end - start));
        if (!piece) return Unexpected(piece.error());
        if (piece->size() != end - start) {
            return Unexpected(make_error_code(modbus::Errc::byte_count_mismatch));
        }
        std::copy(piece->begin(), piece->end(), image.begin() + static_cast<std::ptrdiff_t>(start));
        if (end < total && boundaries.stale(start, end)) boundaries.plan(m.def, image, end);
        start = end;
    }
    m.regs = std::move(image);
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
