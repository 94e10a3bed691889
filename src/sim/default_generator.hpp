#pragma once
// The generator a point gets when the simulator's configuration names none, chosen from
// what the profile says about the point: its device_class, state_class, unit, map, type
// and min/max. The rules, first match wins:
//   bits (coils, discrete inputs, `bit` points, bool)  constant, alternating by address
//   string                                              manufacturer / model / serial /
//                                                       version text, else "sim <name>"
//   map and a name with status/state/mode               cycle through the map's keys
//   map                                                 constant first key
//   power, apparent_power                               solar (peak: max, or 3000 W);
//                                                       rated/max/peak in the name: constant
//   energy with state_class total / total_increasing    energy integrating the device's
//                                                       power point (daily when the name
//                                                       says today/daily), else a counter
//   voltage / current / frequency / temperature /       random walk around 230 V (400 V
//   power_factor / battery / reactive_power             line-to-line, 350 V DC), 5 A, 50 Hz,
//                                                       35 °C, 0.98, 60 %, 100 var
//   thd in the name                                     random walk around 2 % (voltage)
//                                                       or 4 % (current), ±25 %
//   duration, or other state_class total*               counter
//   other state_class measurement                       random walk around mid of min/max
//   anything else                                       constant: mid of min/max; 0 for
//                                                       fault/alarm/warning/error/event
//                                                       codes; else a distinct non-zero
//                                                       value per point (zeros read the
//                                                       same in every byte order)
// Scale-factor points (named by a scale_register) get no generator: the writer picks them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/point.hpp"
#include "sim/generator_spec.hpp"

namespace regpoll::sim {

// What the device says about itself, for text points.
struct DeviceFacts {
    std::string manufacturer;
    std::string model;
    std::uint8_t unit = 1;
};

GeneratorSpec default_generator(const profile::Point& point,
                                const std::vector<profile::Point>& points,
                                const DeviceFacts& facts);

// A point that one of the profile's "identify" checks names shows the first of its
// "values", or for a "pattern" the profile's manufacturer or model when the pattern accepts
// it, so a simulated device identifies as its own profile; nullopt for other points.
std::optional<GeneratorSpec> identify_generator(std::size_t point_index, const profile::Profile& profile);

// The device's main power point for energy counters (ac_power, active_power, power, ...);
// empty when it has none.
std::string main_power_point(const std::vector<profile::Point>& points);

// How many `energy_unit` one `power_unit` makes in an hour (W -> kWh: 0.001); 1 when a
// unit is not one of W/kW/MW and Wh/kWh/MWh (or var/kvar and varh/kvarh).
double energy_factor(const std::string& power_unit, const std::string& energy_unit);

}  // namespace regpoll::sim
