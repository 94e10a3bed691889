#pragma once
// Generators: objects that give a point's engineering value at a time. Pure apart from
// their own state: time, randomness and (for energy) the source point's value come in
// from outside, so tests drive them in virtual time.
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "codec/value.hpp"
#include "sim/generator_spec.hpp"
#include "sim/sim_time.hpp"

namespace regpoll::sim {

class Generator {
  public:
    virtual ~Generator() = default;
    // The value at `t`. Calls come with non-decreasing `t`; the first call starts the
    // generator (counters count from it). Not available: std::monostate.
    virtual codec::Value next(SimTime t) = 0;
};

struct GeneratorContext {
    LocalZone zone;
    RandomSource random;  // random_walk and solar noise; may be empty for the others
    // energy: the current value of the source point, read after that point was refreshed.
    std::function<std::optional<double>()> source;
    // derived: per term, the current value of the value it names (refreshed before).
    std::vector<std::function<std::optional<double>()>> terms;
};

// The generator `spec` describes, clamped to spec.min / spec.max when numeric.
std::unique_ptr<Generator> make_generator(const GeneratorSpec& spec, GeneratorContext context);

}  // namespace regpoll::sim
