#pragma once
// regpoll's table of SunSpec models: for every model of the reference set its groups and
// points with the facts discovery and the profile writer need. The data file is generated
// by tools/sunspec_tables.py; this header is its shape.
#include <cstdint>
#include <span>
#include <string_view>

namespace regpoll::sunspec {

// The SunSpec point types (count_ is the "count" type: the number of repeats of a group).
enum class PointType : std::uint8_t {
    int16,
    uint16,
    count_,
    acc16,
    enum16,
    bitfield16,
    sunssf,
    pad,
    int32,
    uint32,
    acc32,
    enum32,
    bitfield32,
    float32,
    ipaddr,
    int64,
    uint64,
    acc64,
    float64,
    string,
    ipv6addr,
    eui48,
    bitfield64,
};

std::string_view point_type_name(PointType type);

struct Symbol {
    std::string_view name;
    std::int64_t value;  // enum: the value; bitfield: the bit number
};

struct PointDef {
    static constexpr std::uint8_t writable = 1;
    static constexpr std::uint8_t mandatory = 2;
    static constexpr std::uint8_t is_static = 4;
    static constexpr std::uint8_t fixed_sf = 8;  // sf_value is the exponent itself

    std::string_view name;
    PointType type;
    std::uint16_t size;      // registers
    std::string_view sf;     // the point holding this point's exponent; "" if none
    std::int8_t sf_value;    // with fixed_sf
    std::string_view units;  // as the specification spells them ("W", "Wh", "C", ...)
    std::uint8_t flags;
    std::span<const Symbol> symbols;

    bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

struct GroupDef {
    std::string_view name;
    std::int32_t count;            // repeats; 0 = as many as fill the rest of the model's L
    std::string_view count_point;  // when set: a point of the model holds the repeats
    std::span<const PointDef> points;
    std::span<const GroupDef> groups;
};

struct ModelDef {
    std::uint16_t id;
    GroupDef group;  // the model itself; its first two points are ID and L
};

// Every model of the table, ordered by id.
std::span<const ModelDef> model_table();

// nullptr for an id the table does not have.
const ModelDef* find_model(std::uint16_t id);

// Registers one instance of the group occupies, its sub-groups counted once (a sub-group
// with a variable count makes the length depend on the device: see model_layout).
std::size_t fixed_length(const GroupDef& group);

// The specification's length of a model without variable groups: L, without ID and L.
// 0 when repeats make it depend on the device.
std::size_t spec_length(const ModelDef& model);

}  // namespace regpoll::sunspec
