#pragma once
// What a point's values look like over time, as configured (sim.json "points") or chosen
// from the profile (default_generator.hpp). Plain data; generators.hpp makes the object.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/value.hpp"

namespace regpoll::sim {

enum class GeneratorKind {
    constant,     // `value` forever
    random_walk,  // starts at `nominal`, moves by up to `step` x |nominal| per refresh,
                  // stays within nominal ± `spread` x |nominal|
    solar,        // `peak` x sin over the day between `sunrise` and `sunset` (local hours),
                  // 0 at night; `noise` adds a random ± fraction
    energy,       // integrates point `source` (a power) over time from `start`, times
                  // `factor` per hour, counting only where that is positive (a negative
                  // factor counts export); `daily` resets it at local midnight
    counter,      // `start` + `rate` per second since the simulation started
    cycle,        // `values` in turn, each held for `period`
    unavailable,  // the point's first "nan" sentinel: a poller reads "not available"
    derived,      // `offset` + the sum of `terms`: factor x another value's current value
                  // (this device's point, "device.point", or a signal), after those
                  // values were refreshed; not available while a term is not
};

std::string_view generator_kind_name(GeneratorKind kind);
std::optional<GeneratorKind> parse_generator_kind(std::string_view name);
// "constant, random_walk, solar, energy, counter, cycle, unavailable"
std::string generator_kind_list();

struct GeneratorSpec {
    GeneratorKind kind = GeneratorKind::constant;
    codec::Value value = std::int64_t{0};  // constant: a number, bool or text (a map text too)

    double nominal = 0;  // random_walk
    double spread = 0.05;
    double step = 0.01;

    double peak = 0;  // solar
    double sunrise = 6;
    double sunset = 18;
    double noise = 0;

    std::string source;  // energy: the power point integrated
    double start = 0;    // energy, counter: the first value
    double factor = 1;   // energy: value units per (source unit x hour), e.g. W -> kWh 0.001
    bool daily = false;  // energy: back to 0 at local midnight

    double rate = 1;  // counter: increase per second

    std::vector<codec::Value> values;  // cycle: numbers or map texts
    std::chrono::milliseconds period{10000};

    struct Term {
        std::string ref;  // "point" (this device's, else a signal) or "device.point"
        double factor = 1;
    };
    std::vector<Term> terms;  // derived
    double offset = 0;
    bool magnitude = false;  // derived "abs": the sum without its sign (a current, an apparent power)

    // Clamps after generating (the profile's min/max, unless the configuration says).
    std::optional<double> min;
    std::optional<double> max;
};

// One line for the log: "solar peak 3000 (6h-18h)".
std::string describe(const GeneratorSpec& spec);

}  // namespace regpoll::sim
