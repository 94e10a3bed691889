#include "sunspec/model_table.hpp"

#include <algorithm>
#include <array>

namespace regpoll::sunspec {

std::string_view point_type_name(PointType type) {
    static constexpr std::array<std::string_view, 23> names{
        "int16",  "uint16", "count",   "acc16",  "enum16",     "bitfield16", "sunssf",    "pad",
        "int32",  "uint32", "acc32",   "enum32", "bitfield32", "float32",    "ipaddr",    "int64",
        "uint64", "acc64",  "float64", "string", "ipv6addr",   "eui48",      "bitfield64"};
    return names.at(static_cast<std::size_t>(type));
}

const ModelDef* find_model(std::uint16_t id) {
    const auto table = model_table();
    auto it = std::lower_bound(table.begin(), table.end(), id,
                               [](const ModelDef& m, std::uint16_t v) { return m.id < v; });
    return it != table.end() && it->id == id ? &*it : nullptr;
}

std::size_t fixed_length(const GroupDef& group) {
    std::size_t n = 0;
    for (const auto& p : group.points) n += p.size;
    for (const auto& g : group.groups) {
        n += fixed_length(g) * static_cast<std::size_t>(g.count > 1 ? g.count : 1);
    }
    return n;
}

namespace {
bool has_variable_groups(const GroupDef& group) {
    for (const auto& g : group.groups) {
        if (g.count == 0 || !g.count_point.empty() || has_variable_groups(g)) return true;
    }
    return false;
}
}  // namespace

std::size_t spec_length(const ModelDef& model) {
    if (has_variable_groups(model.group)) return 0;
    return fixed_length(model.group) - 2;
}

}  // namespace regpoll::sunspec
