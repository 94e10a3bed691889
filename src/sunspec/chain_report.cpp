#include "sunspec/chain_report.hpp"

#include <sstream>

#include "poll/value_json.hpp"
#include "sunspec/point_value.hpp"

namespace regpoll::sunspec {

namespace {

std::span<const std::uint16_t> regs_of(const DiscoveredModel& m, const PlacedPoint& p) {
    return std::span<const std::uint16_t>(m.regs).subspan(p.offset, p.def->size);
}

bool is_bitfield(PointType t) {
    return t == PointType::bitfield16 || t == PointType::bitfield32 || t == PointType::bitfield64;
}

std::string model_name(const DiscoveredModel& m) {
    return m.def ? std::string(m.def->group.name) : "unknown";
}

std::string length_text(const DiscoveredModel& m) {
    std::string s = "length " + std::to_string(m.length);
    if (m.spec_length != 0 && m.spec_length != m.length) {
        s += " (specification: " + std::to_string(m.spec_length) + ")";
    }
    return s;
}

}  // namespace

bool is_value_point(const PlacedPoint& p) {
    return p.def->type != PointType::pad && !(p.offset < 2 && (p.path == "ID" || p.path == "L"));
}

codec::Value point_value(const DiscoveredModel& m, const PlacedPoint& p) {
    std::optional<int> exponent;
    if (p.sf) exponent = exponent_of(regs_of(m, m.layout.points[*p.sf]));
    return scaled_value(*p.def, regs_of(m, p), exponent);
}

std::string symbol_text(const PointDef& def, const codec::Value& raw) {
    if (def.symbols.empty()) return "";
    std::uint64_t v = 0;
    if (const auto* i = std::get_if<std::int64_t>(&raw))
        v = static_cast<std::uint64_t>(*i);
    else if (const auto* u = std::get_if<std::uint64_t>(&raw))
        v = *u;
    else
        return "";
    std::string out;
    for (const auto& s : def.symbols) {
        const bool hit = is_bitfield(def.type)
                             ? s.value >= 0 && s.value < 64 && ((v >> s.value) & 1u) != 0
                             : static_cast<std::uint64_t>(s.value) == v;
        if (hit) out += (out.empty() ? "" : ",") + std::string(s.name);
    }
    return out;
}

std::string chain_text(const Chain& chain) {
    std::ostringstream out;
    out << "unit " + std::to_string(chain.unit) << ", base " << chain.base << ": "
        << chain.devices.size() << " device(s), chain ends with " << chain.end << "\n";
    for (const auto& d : chain.devices) {
        out << "device " << d.mn << " " << d.md << ", SN " << d.sn << ", Vr " << d.vr << ", unit "
            << int(chain.unit) << ", base " << chain.base << "\n";
        for (const auto& m : d.models) {
            out << "  model " << m.id << " " << model_name(m) << " at " << m.address << ", "
                << length_text(m) << (m.def ? "" : ": skipped") << "\n";
            for (const auto& p : m.layout.points) {
                if (!is_value_point(p)) continue;
                const auto v = point_value(m, p);
                const auto sym = symbol_text(*p.def, v);
                out << "    " << p.path << " = " << codec::format_value(v);
                if (!sym.empty()) out << " (" << sym << ")";
                if (!p.def->units.empty() && codec::is_available(v)) out << " " << p.def->units;
                out << "\n";
            }
        }
    }
    for (const auto& n : chain.notes) out << "note: " << n << "\n";
    return out.str();
}

namespace {

nlohmann::ordered_json model_json(const DiscoveredModel& m) {
    nlohmann::ordered_json j;
    j["id"] = m.id;
    j["name"] = model_name(m);
    j["address"] = m.address;
    j["length"] = m.length;
    if (m.spec_length != 0) j["spec_length"] = m.spec_length;
    j["known"] = m.def != nullptr;
    auto& points = j["points"] = nlohmann::ordered_json::array();
    for (const auto& p : m.layout.points) {
        if (!is_value_point(p)) continue;
        nlohmann::ordered_json pj;
        const auto v = point_value(m, p);
        pj["name"] = p.path;
        pj["address"] = m.address + p.offset;
        pj["type"] = point_type_name(p.def->type);
        pj["value"] = poll::value_to_json(v);
        if (const auto sym = symbol_text(*p.def, v); !sym.empty()) pj["symbols"] = sym;
        if (!p.def->units.empty()) pj["units"] = p.def->units;
        points.push_back(std::move(pj));
    }
    return j;
}

}  // namespace

nlohmann::ordered_json chain_json(const Chain& chain) {
    nlohmann::ordered_json j;
    j["unit"] = chain.unit;
    j["base"] = chain.base;
    j["end"] = chain.end;
    auto& devices = j["devices"] = nlohmann::ordered_json::array();
    for (const auto& d : chain.devices) {
        nlohmann::ordered_json dj;
        dj["Mn"] = d.mn;
        dj["Md"] = d.md;
        dj["SN"] = d.sn;
        dj["Vr"] = d.vr;
        dj["unit"] = chain.unit;
        dj["base"] = chain.base;
        auto& models = dj["models"] = nlohmann::ordered_json::array();
        for (const auto& m : d.models) models.push_back(model_json(m));
        devices.push_back(std::move(dj));
    }
    j["unknown_models"] = chain.unknown_models;
    j["notes"] = chain.notes;
    return j;
}

}  // namespace regpoll::sunspec
