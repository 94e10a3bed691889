#include "sunspec/profile_writer.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "codec/types.hpp"
#include "sunspec/chain_report.hpp"
#include "sunspec/point_value.hpp"

namespace regpoll::sunspec {

namespace {

using Json = nlohmann::ordered_json;

struct UnitClass {
    const char* unit;
    const char* device_class;
};

// SunSpec unit spellings → the unit regpoll shows and Home Assistant's device class.
const std::map<std::string_view, UnitClass>& unit_table() {
    static const std::map<std::string_view, UnitClass> table{
        {"W", {"W", "power"}},
        {"Wh", {"Wh", "energy"}},
        {"WH", {"Wh", "energy"}},
        {"kWh", {"kWh", "energy"}},
        {"VA", {"VA", "apparent_power"}},
        {"var", {"var", "reactive_power"}},
        {"Var", {"var", "reactive_power"}},
        {"VAh", {"VAh", ""}},
        {"varh", {"varh", ""}},
        {"Varh", {"varh", ""}},
        {"A", {"A", "current"}},
        {"V", {"V", "voltage"}},
        {"Hz", {"Hz", "frequency"}},
        {"C", {"°C", "temperature"}},
        {"Pct", {"%", ""}},
        {"%", {"%", ""}},
        {"Secs", {"s", "duration"}},
        {"Sec", {"s", "duration"}},
        {"mSecs", {"ms", "duration"}},
        {"Ah", {"Ah", ""}},
        {"AH", {"Ah", ""}},
        {"W/m2", {"W/m²", "irradiance"}},
        {"W/m^2", {"W/m²", "irradiance"}},
        {"HPa", {"hPa", "atmospheric_pressure"}},
        {"m/s", {"m/s", "wind_speed"}},
        {"mps", {"m/s", "wind_speed"}},
    };
    return table;
}

bool is_accumulator(PointType t) {
    return t == PointType::acc16 || t == PointType::acc32 || t == PointType::acc64;
}

std::string hex(std::uint64_t v, std::size_t registers) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llX", static_cast<int>(registers * 4),
                  static_cast<unsigned long long>(v));
    return buf;
}

void add_units(Json& j, const PointDef& def) {
    if (def.units.empty()) return;
    auto it = unit_table().find(def.units);
    if (it == unit_table().end()) {
        j["unit"] = std::string(def.units);
        return;
    }
    j["unit"] = it->second.unit;
    std::string dc = it->second.device_class;
    const bool numeric = def.symbols.empty() && def.type != PointType::string;
    if (!numeric) return;
    if (dc == "energy") {
        // Energy that is not an accumulator (a rating, a capacity) is stored energy.
        j["device_class"] = is_accumulator(def.type) ? "energy" : "energy_storage";
        j["state_class"] = is_accumulator(def.type) ? "total_increasing" : "measurement";
        return;
    }
    if (!dc.empty()) j["device_class"] = dc;
    if (std::string_view(it->second.unit) == "%" &&
        def.name.find("SoC") != std::string_view::npos) {
        j["device_class"] = "battery";
    }
    j["state_class"] = is_accumulator(def.type) ? "total_increasing" : "measurement";
}

void add_nan(Json& j, const PointDef& def, bool acc_zero_missing) {
    Json nan = Json::array();
    if (auto s = sentinel(def.type)) nan.push_back(hex(*s, def.size));
    if (is_accumulator(def.type) && acc_zero_missing) nan.push_back(0);
    if (!nan.empty()) j["nan"] = std::move(nan);
}

void add_symbols(Json& j, const PointDef& def) {
    if (def.symbols.empty()) return;
    const bool bits = def.type == PointType::bitfield16 || def.type == PointType::bitfield32 ||
                      def.type == PointType::bitfield64;
    Json map = Json::object();
    for (const auto& s : def.symbols) map[std::to_string(s.value)] = std::string(s.name);
    j[bits ? "bits" : "map"] = std::move(map);
}

}  // namespace

bool is_measurement_model(std::uint16_t id) {
    if (id == 1 || (id >= 101 && id <= 103) || (id >= 111 && id <= 113) || id == 122) return true;
    if (id == 160 || (id >= 201 && id <= 204) || (id >= 211 && id <= 214) || id == 220) return true;
    if ((id >= 302 && id <= 308) || (id >= 401 && id <= 404) || id == 501 || id == 502) return true;
    return id == 701 || id == 713 || id == 714 || (id >= 801 && id <= 809);
}

std::string profile_point_name(std::size_t device_index, std::uint16_t model_id,
                               const std::string& path) {
    std::string prefix = device_index == 0 ? "" : "d" + std::to_string(device_index + 1) + "_";
    return prefix + "m" + std::to_string(model_id) + "_" + snake_name(path);
}

std::string profile_source(const Chain& chain) {
    std::string s = "SunSpec discovery";
    if (!chain.devices.empty()) {
        const auto& d = chain.devices.front();
        s += " of " + d.mn + " " + d.md + " " + d.sn + " " + d.vr;
    }
    s += ", unit " + std::to_string(chain.unit) + ", base " + std::to_string(chain.base);
    s += "; chain ends with " + chain.end;
    if (chain.devices.size() > 1) {
        s += "; " + std::to_string(chain.devices.size() - 1) + " subdevice(s) behind the first";
    }
    for (const auto& n : chain.notes) s += "; " + n;
    return s;
}

namespace {

struct ModelNames {
    std::string prefix;  // "m103_", "d2_m203_", "m160_2_" for a second 160 of one device
    std::string of(const std::string& path) const { return prefix + snake_name(path); }
};

Json point_json(const DiscoveredModel& m, const PlacedPoint& p, const ModelNames& names,
                const ProfileOptions& options) {
    const auto format = codec_format(*p.def);
    Json j;
    j["name"] = names.of(p.path);
    j["address"] = m.address + p.offset;
    j["type"] = std::string(codec::type_name(format->type));
    if (format->type == codec::Type::string) j["length"] = p.def->size;
    if (p.sf) j["scale_register"] = names.of(m.layout.points[*p.sf].path);
    if (p.def->has(PointDef::fixed_sf) && p.def->sf_value != 0) {
        j["scale"] = std::pow(10.0, p.def->sf_value);
    }
    add_nan(j, *p.def, options.acc_zero_missing);
    add_units(j, *p.def);
    add_symbols(j, *p.def);
    const bool identity = m.id == 1 && p.def->type == PointType::string;
    const bool static_sf = p.def->type == PointType::sunssf && p.def->has(PointDef::is_static);
    if ((identity || static_sf) && !options.static_interval.empty()) j["interval"] = options.static_interval;
    j["description"] = "SunSpec model " + std::to_string(m.id) + " " + p.path + " (" +
                       std::string(point_type_name(p.def->type)) + ")";
    return j;
}

// A point is left out when it has no value form (pad, ipv6addr) or names a scale factor
// the device's model lacks: without it any value would be silently wrong.
bool writable_to_profile(const PlacedPoint& p) {
    return is_value_point(p) && codec_format(*p.def) && (p.def->sf.empty() || p.sf);
}

}  // namespace

nlohmann::ordered_json profile_json(const Chain& chain, const ProfileOptions& options) {
    Json out;
    const DiscoveredDevice* first = chain.devices.empty() ? nullptr : &chain.devices.front();
    out["manufacturer"] = first ? first->mn : "";
    out["model"] = first ? first->md : "";
    out["source"] = profile_source(chain);
    out["protocol"] = "SunSpec Modbus";
    out["description"] =
        "Written by regpoll discover: point names are m<model>_<point>; "
        "devices behind the first in the chain are prefixed d2_, d3_, ...";
    out["defaults"] = {{"register", "holding"}};
    out["limits"] = {{"max_registers", 125}};
    Json& points = out["points"] = Json::array();
    for (std::size_t d = 0; d < chain.devices.size(); ++d) {
        std::map<std::uint16_t, int> seen;
        for (const auto& m : chain.devices[d].models) {
            if (!m.def || (!options.models.empty() && !options.models.contains(m.id))) continue;
            const int k = ++seen[m.id];
            ModelNames names{profile_point_name(d, m.id, "") +
                             (k > 1 ? std::to_string(k) + "_" : "")};
            for (const auto& p : m.layout.points) {
                if (writable_to_profile(p)) points.push_back(point_json(m, p, names, options));
            }
        }
    }
    return out;
}

}  // namespace regpoll::sunspec
