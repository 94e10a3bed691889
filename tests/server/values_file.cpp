#include "values_file.hpp"

#include <map>
#include <optional>
#include <stdexcept>

namespace regpoll::server::testserver {
namespace {

using nlohmann::json;

struct TableName {
    const char* name;
    RegisterKind kind;
};
constexpr TableName table_names[] = {{"holding", RegisterKind::holding},
                                     {"input", RegisterKind::input},
                                     {"coils", RegisterKind::coil},
                                     {"discrete", RegisterKind::discrete}};

[[noreturn]] void bad(const std::string& where, const std::string& what) {
    throw std::runtime_error(where + ": " + what);
}

long parse_int(const json& v, const std::string& where) {
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_number_integer()) return v.get<long>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        try {
            std::size_t used = 0;
            const long value = std::stol(s, &used, 0);
            if (used == s.size()) return value;
        } catch (const std::exception&) {
        }
    }
    bad(where, v.dump() + " is not an integer");
}

// One level of the file: tables, sizes and ranges (top level, or one entry of "units").
struct Level {
    std::map<RegisterKind, std::vector<std::pair<std::uint32_t, std::vector<long>>>> values;
    std::map<RegisterKind, std::uint32_t> sizes;
    std::map<RegisterKind, std::vector<AddressRange>> ranges;
};

std::optional<RegisterKind> kind_of(const std::string& name) {
    for (const auto& t : table_names) {
        if (name == t.name) return t.kind;
    }
    return std::nullopt;
}

Level parse_level(const json& spec, const std::string& where, bool top) {
    if (!spec.is_object()) bad(where, "must be a JSON object");
    Level level;
    for (const auto& [key, value] : spec.items()) {
        const std::string at = where + "." + key;
        if (auto kind = kind_of(key)) {
            if (!value.is_object()) bad(at, "must map addresses to values");
            const bool bits = is_bit_kind(*kind);
            for (const auto& [address_text, list] : value.items()) {
                const long address = parse_int(json(address_text), at + ": address");
                if (address < 0 || address > 65535) bad(at, "address outside 0..65535");
                std::vector<long> parsed;
                const json items = list.is_array() ? list : json::array({list});
                for (const auto& item : items) {
                    const std::string item_at =
                        at + "[" + std::to_string(address + static_cast<long>(parsed.size())) + "]";
                    const long v = parse_int(item, item_at);
                    if (bits ? (v != 0 && v != 1) : (v < -32768 || v > 65535)) {
                        bad(item_at,
                            item.dump() + (bits ? " is not a bit" : " does not fit a register"));
                    }
                    parsed.push_back(v & 0xFFFF);
                }
                level.values[*kind].emplace_back(static_cast<std::uint32_t>(address),
                                                 std::move(parsed));
            }
        } else if (key == "sizes" || key == "ranges") {
            if (!value.is_object()) bad(at, "must be an object keyed by table");
            for (const auto& [table, entry] : value.items()) {
                auto table_kind = kind_of(table);
                if (!table_kind) bad(at, "unknown table \"" + table + "\"");
                if (key == "sizes") {
                    const long size = parse_int(entry, at + "." + table);
                    if (size < 0 || size > 65536) bad(at + "." + table, "size outside 0..65536");
                    level.sizes[*table_kind] = static_cast<std::uint32_t>(size);
                    continue;
                }
                if (!entry.is_array()) bad(at + "." + table, "must be a list of [start, count]");
                auto& list = level.ranges[*table_kind];
                for (const auto& r : entry) {
                    if (!r.is_array() || r.size() != 2)
                        bad(at + "." + table, "each range is [start, count]");
                    list.push_back({static_cast<std::uint32_t>(parse_int(r[0], at)),
                                    static_cast<std::uint32_t>(parse_int(r[1], at))});
                }
            }
        } else if (!(top && key == "units")) {
            bad(at, "unknown key");
        }
    }
    return level;
}

void fill_unit(UnitTables& unit, std::uint8_t id, const Level& common, const Level* own,
               const std::string& source, std::vector<std::string>& warnings) {
    for (const auto& t : table_names) {
        const auto& ranges_of = [&](const Level& l) { return l.ranges.find(t.kind); };
        std::uint32_t size = 65536;
        if (auto it = common.sizes.find(t.kind); it != common.sizes.end()) size = it->second;
        if (own) {
            if (auto it = own->sizes.find(t.kind); it != own->sizes.end()) size = it->second;
        }
        const Level* with_ranges = nullptr;
        if (own && ranges_of(*own) != own->ranges.end()) {
            with_ranges = own;
        } else if (ranges_of(common) != common.ranges.end()) {
            with_ranges = &common;
        }
        if (with_ranges) {
            for (const AddressRange& r : with_ranges->ranges.at(t.kind))
                unit.map(t.kind, r.start, r.count);
        } else {
            unit.map(t.kind, 0, size);
        }
    }
    for (const Level* level : {&common, own}) {
        if (!level) continue;
        for (const auto& [kind, entries] : level->values) {
            for (const auto& [address, list] : entries) {
                std::size_t dropped = 0;
                for (std::size_t i = 0; i < list.size(); ++i) {
                    const auto at = static_cast<std::uint16_t>(address + i);
                    const bool outside = address + i > 65535;
                    std::error_code ec;
                    if (outside) {
                        ec = std::make_error_code(std::errc::result_out_of_range);
                    } else if (is_bit_kind(kind)) {
                        ec = unit.write_bits(kind, at, {list[i] != 0});
                    } else {
                        const std::uint16_t v = static_cast<std::uint16_t>(list[i]);
                        ec = unit.write_registers(kind, at, std::span<const std::uint16_t>(&v, 1));
                    }
                    if (ec) ++dropped;
                }
                if (dropped > 0) {
                    warnings.push_back(source + ": unit " + std::to_string(id) + " " +
                                       std::string(register_kind_name(kind)) + ": dropped " +
                                       std::to_string(dropped) + " value(s) from address " +
                                       std::to_string(address) + " on, not mapped");
                }
            }
        }
    }
}

}  // namespace

json default_values() {
    return json::parse(R"({
        "holding": {"0": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "100": ["0x4049", "0x0FDB"],
                    "200": ["0x1234", "0x5678"], "300": [-1, -32768, 32767]},
        "input": {"0": [100, 200, 300, 400, 500]},
        "coils": {"0": [1, 0, 1, 1, 0, 0, 1, 0]},
        "discrete": {"0": [0, 1, 0, 1]}
    })");
}

void load_values(const json& values, const std::string& source,
                 const std::vector<std::uint8_t>& units, TableLayout layout, DataTables& tables,
                 std::vector<std::string>& warnings) {
    const Level common = parse_level(values, source, true);
    std::map<std::uint8_t, Level> per_unit;
    if (values.contains("units")) {
        const json& u = values["units"];
        if (!u.is_object()) bad(source + ".units", "must map unit ids to tables");
        for (const auto& [key, spec] : u.items()) {
            const long id = parse_int(json(key), source + ".units");
            if (id < 0 || id > 255 ||
                std::find(units.begin(), units.end(), static_cast<std::uint8_t>(id)) ==
                    units.end()) {
                bad(source + ".units", "unit " + key + " has data but is not served (--units)");
            }
            per_unit[static_cast<std::uint8_t>(id)] =
                parse_level(spec, source + ".units." + key, false);
        }
    }
    for (std::uint8_t id : units) {
        UnitTables& unit = tables.add_unit(id, layout);
        auto own = per_unit.find(id);
        fill_unit(unit, id, common, own == per_unit.end() ? nullptr : &own->second, source,
                  warnings);
    }
}

}  // namespace regpoll::server::testserver
