#pragma once
// The registers of a SunSpec chain as a device would hold them, built from regpoll's model
// table: for the simulator ("sunspec" in sim.json) and its presets that mirror the field.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"

namespace regpoll::sunspec {

struct ModelSpec {
    std::uint16_t id = 1;
    std::size_t repeats = 1;                       // of every repeating group
    std::optional<std::uint16_t> length;           // the device's L when it differs
    std::map<std::string, nlohmann::json> values;  // point path → engineering value or text
};

enum class ChainEnd { ffff, zero, exception };

struct ChainSpec {
    std::uint8_t unit = 1;
    std::uint16_t base = 40000;
    ChainEnd end = ChainEnd::ffff;
    std::vector<ModelSpec> models;
};

// Registers from `base` on: "SunS", the models, then the end (0xFFFF and L = 0, a zero id,
// or nothing: the registers end and a read there is refused). Points without a value get
// a plausible one from their units (230 V, 50 Hz, ...), scale factors -1 or 0, counts the
// repeats; points without units or value are "not implemented". Errors name the model and
// the point.
Expected<std::vector<std::uint16_t>, std::string> chain_image(const ChainSpec& spec);

// The field presets: fronius, sma, solaredge, kostal; empty for an unknown name.
std::vector<ChainSpec> chain_preset(const std::string& name);
inline constexpr const char* chain_preset_names = "fronius, sma, solaredge, kostal";

}  // namespace regpoll::sunspec
