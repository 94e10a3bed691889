#pragma once
// One entry of a sim.json device's "points": {"generator": "solar", "peak": 3000}, checked
// against the point it is for (a text for a mapped point must be one of the map's texts,
// "unavailable" needs a nan sentinel, a scale factor takes only an exponent, ...). Keys
// not given keep the point's default generator's settings when the kind is the same.
#include <optional>
#include <vector>

#include "profile/json_reader.hpp"
#include "profile/point.hpp"
#include "sim/default_generator.hpp"
#include "sim/generator_spec.hpp"

namespace regpoll::sim {

// nullopt after reporting every mistake under the reader's path.
std::optional<GeneratorSpec> parse_generator(profile::JsonReader& reader,
                                             const profile::Point& point,
                                             const std::vector<profile::Point>& points,
                                             const DeviceFacts& facts);

}  // namespace regpoll::sim
