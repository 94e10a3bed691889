#include "sunspec/chain_image.hpp"

#include <algorithm>
#include <cmath>

#include "codec/value_codec.hpp"
#include "sunspec/chain_walker.hpp"
#include "sunspec/model_layout.hpp"
#include "sunspec/point_value.hpp"

namespace regpoll::sunspec {

namespace {

using Json = nlohmann::json;

std::size_t length_with(const GroupDef& g, std::size_t repeats) {
    std::size_t n = 0;
    for (const auto& p : g.points) n += p.size;
    for (const auto& sub : g.groups) {
        const bool variable = sub.count == 0 || !sub.count_point.empty();
        n += length_with(sub, repeats) * (variable ? repeats : static_cast<std::size_t>(sub.count));
    }
    return n;
}

// Names of the points that count a repeating group, at any depth.
void count_points(const GroupDef& g, std::vector<std::string_view>& out) {
    for (const auto& sub : g.groups) {
        if (!sub.count_point.empty()) out.push_back(sub.count_point);
        count_points(sub, out);
    }
}

// A plausible reading for a point nobody gave a value, by its units.
std::optional<Json> default_value(const PointDef& def) {
    static const std::map<std::string_view, double> by_unit{
        {"V", 230.0},   {"A", 5.0},   {"W", 1150.0}, {"Hz", 50.0}, {"Wh", 1234567.0},
        {"VA", 1150.0}, {"var", 0.0}, {"Var", 0.0},  {"C", 35.0},  {"Pct", 95.0}};
    if (def.type == PointType::enum16 && !def.symbols.empty()) return Json(def.symbols[0].value);
    if (def.type == PointType::bitfield16 || def.type == PointType::bitfield32) return Json(0);
    auto it = by_unit.find(def.units);
    if (it == by_unit.end()) return std::nullopt;
    return Json(it->second);
}

std::optional<int> default_sf(std::string_view name) {
    // Power and energy in whole units, the rest with one decimal.
    if (name.starts_with("W") || name.starts_with("VA") || name.starts_with("TotWh")) return 0;
    return -1;
}

class ImageWriter {
  public:
    // `counts`: the points that count a repeating group; they already hold the repeats.
    ImageWriter(const ModelSpec& spec, std::vector<std::uint16_t>& regs,
                const std::vector<std::string_view>& counts)
        : spec_(spec), regs_(regs), counts_(counts) {}

    std::optional<std::string> fill(const ModelLayout& layout) {
        for (const auto& p : layout.points) {  // exponents first: values are scaled by them
            if (p.def->type == PointType::sunssf) put_sf(p);
        }
        for (const auto& p : layout.points) {
            if (p.offset < 2 || p.def->type == PointType::sunssf || is_count(*p.def)) continue;
            if (auto err = put(layout, p)) return "point " + p.path + ": " + *err;
        }
        return std::nullopt;
    }

    bool is_count(const PointDef& def) const {
        return def.type == PointType::count_ ||
               std::find(counts_.begin(), counts_.end(), def.name) != counts_.end();
    }

  private:
    void put_sf(const PlacedPoint& p) {
        auto it = spec_.values.find(p.path);
        int v = it != spec_.values.end() && it->second.is_number_integer()
                    ? it->second.get<int>()
                    : *default_sf(p.def->name);
        regs_[p.offset] = static_cast<std::uint16_t>(static_cast<std::int16_t>(v));
    }

    std::optional<std::string> put(const ModelLayout& layout, const PlacedPoint& p) {
        auto given = spec_.values.find(p.path);
        std::optional<Json> value =
            given != spec_.values.end() ? std::optional(given->second) : default_value(*p.def);
        const auto format = codec_format(*p.def);
        if (!format) return std::nullopt;
        if (!value || value->is_null()) return write_sentinel(p);
        codec::Value v;
        if (value->is_string()) {
            v = value->get<std::string>();
        } else if (!value->is_number()) {
            return "expected a number or a text, found " + value->dump();
        } else {
            double d = value->get<double>();
            if (p.sf)
                d /= std::pow(10.0, static_cast<std::int16_t>(regs_[layout.points[*p.sf].offset]));
            if (codec::is_integer_type(format->type)) d = std::round(d);
            v = d;
        }
        auto encoded = codec::encode(v, *format);
        // A made-up value that does not fit (a Wh rating in a uint16) is "not implemented".
        if (!encoded && given == spec_.values.end()) return write_sentinel(p);
        if (!encoded) return encoded.error();
        std::copy(encoded->begin(), encoded->end(), regs_.begin() + p.offset);
        return std::nullopt;
    }

    std::optional<std::string> write_sentinel(const PlacedPoint& p) {
        const auto s = sentinel(p.def->type);
        for (std::size_t i = 0; i < p.def->size; ++i) {
            regs_[p.offset + i] =
                s ? static_cast<std::uint16_t>(*s >> (16 * (p.def->size - 1 - i))) : 0;
        }
        return std::nullopt;
    }

    const ModelSpec& spec_;
    std::vector<std::uint16_t>& regs_;
    const std::vector<std::string_view>& counts_;
};

Expected<std::vector<std::uint16_t>, std::string> model_image(const ModelSpec& spec) {
    const std::string where = "model " + std::to_string(spec.id);
    const ModelDef* def = find_model(spec.id);
    if (!def) return Unexpected(where + " is not in regpoll's SunSpec table");
    const std::size_t full = length_with(def->group, spec.repeats);
    if (full > 0xFFFF) return Unexpected(where + ": too many repeats");
    std::vector<std::uint16_t> regs(full, 0);
    regs[0] = spec.id;
    regs[1] = static_cast<std::uint16_t>(full - 2);
    auto first = lay_out(*def, regs);  // places the counts, which sit before their groups
    if (!first) return Unexpected(where + ": " + first.error());
    std::vector<std::string_view> counts;
    count_points(def->group, counts);
    ImageWriter writer(spec, regs, counts);
    for (const auto& p : first->points) {
        if (writer.is_count(*p.def)) regs[p.offset] = static_cast<std::uint16_t>(spec.repeats);
    }
    auto layout = lay_out(*def, regs);
    if (!layout) return Unexpected(where + ": " + layout.error());
    if (auto err = writer.fill(*layout)) return Unexpected(where + ": " + *err);
    if (spec.length) {
        regs.resize(*spec.length + 2u, 0);
        regs[1] = *spec.length;
    }
    return regs;
}

}  // namespace

Expected<std::vector<std::uint16_t>, std::string> chain_image(const ChainSpec& spec) {
    std::vector<std::uint16_t> regs(std::begin(suns_marker), std::end(suns_marker));
    for (const auto& m : spec.models) {
        auto image = model_image(m);
        if (!image) return image;
        regs.insert(regs.end(), image->begin(), image->end());
    }
    if (spec.end == ChainEnd::ffff) regs.insert(regs.end(), {0xFFFF, 0});
    if (spec.end == ChainEnd::zero) regs.insert(regs.end(), {0, 0});
    if (spec.base + regs.size() > 0x10000u) {
        return Unexpected("the chain runs past address 65535 (" + std::to_string(regs.size()) +
                          " registers from " + std::to_string(spec.base) + ")");
    }
    return regs;
}

}  // namespace regpoll::sunspec
