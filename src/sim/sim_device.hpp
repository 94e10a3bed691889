#pragma once
// One simulated device: a profile's points, a generator per point and the writer that
// puts their values into the unit's tables. Refreshing evaluates every generator at one
// time and writes the registers; intended() is then what a poller reading them gets.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "codec/value.hpp"
#include "server/data_tables.hpp"
#include "sim/device_writer.hpp"
#include "sim/generators.hpp"
#include "sim/sim_config.hpp"

namespace regpoll::sim {

// A derived term's reader: the current value `ref` names (sim/value_order.hpp), or an
// empty function when it names nothing.
using TermResolver = std::function<std::function<std::optional<double>()>(const std::string& ref)>;

class SimDevice {
  public:
    // `seed` makes the random walks and noise repeatable. `resolve` reads derived terms;
    // without it they may name this device's points only.
    SimDevice(const DeviceSpec& spec, LocalZone zone, std::uint64_t seed,
              const TermResolver& resolve = {});

    // Maps the device's registers in `tables` and sets its identification (FC43).
    void attach(server::UnitTables& tables) const;
    // Moves every generator to `t` and writes the registers. Problems (a value the point
    // cannot hold) are reported once each.
    void refresh(SimTime t, server::UnitTables& tables, std::vector<std::string>& problems);
    // The two halves of refresh, for a simulation that orders values across devices:
    // move point `i`'s generator to `t` (no-op without one), then write every value.
    void generate(std::size_t i, SimTime t);
    void write(server::UnitTables& tables, std::vector<std::string>& problems);
    // Point `i`'s generator (null: the writer decides its value) and its last value.
    const GeneratorSpec* generator_spec(std::size_t i) const {
        return generators_[i] ? &specs_[i] : nullptr;
    }
    const codec::Value& value(std::size_t i) const { return values_[i]; }

    const std::string& name() const { return name_; }
    std::uint8_t unit() const { return unit_; }
    const std::string& profile_ref() const { return profile_ref_; }
    const std::vector<profile::Point>& points() const { return writer_.points(); }
    // Per point, what a poller decodes (before its precision rounding); empty before the
    // first refresh. std::monostate: "not available".
    const std::vector<codec::Value>& intended() const { return intended_; }
    // One line per point for the log: "ac_power: solar peak 3000 (6h-18h)".
    std::vector<std::string> plan() const;

  private:
    std::string name_;
    std::uint8_t unit_;
    std::string profile_ref_;
    std::string manufacturer_;
    std::string model_;
    DeviceWriter writer_;
    std::vector<GeneratorSpec> specs_;                    // per point
    std::vector<std::unique_ptr<Generator>> generators_;  // per point; null: the writer decides
    std::vector<codec::Value> values_;                    // per point: the generators' last output
    std::vector<codec::Value> intended_;
    std::vector<std::size_t> order_;  // refresh(): points with a generator, sources first
    std::shared_ptr<std::mt19937_64> engine_;
};

}  // namespace regpoll::sim
