#pragma once
// A walked chain as an ordinary regpoll profile (the JSON `validate`, the planner, the
// simulator and the sinks read): absolute addresses, codec types, scale factors as
// scale_register links, SunSpec's "not implemented" sentinels as nan, units and Home
// Assistant classes derived from the units, enum symbols as a map.
#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "sunspec/chain_walker.hpp"

namespace regpoll::sunspec {

struct ProfileOptions {
    bool acc_zero_missing = false;   // accumulators reading 0 mean "missing" (pysunspec2's view)
    std::set<std::uint16_t> models;  // only these model ids; empty = every known model
    // Identity strings (model 1) and the scale factors the specification marks static change
    // only with firmware: read at this interval; the faster points keep the scale factor.
    std::string static_interval = "24h";
};

// The models a site device gets by default: measurements, not controls or curves.
bool is_measurement_model(std::uint16_t id);

// Profile point name of a model's point: "m103_ph_vph_a"; devices after the first one of
// the chain (meters behind a SolarEdge inverter) are prefixed "d2_", "d3_", ...
std::string profile_point_name(std::size_t device_index, std::uint16_t model_id,
                               const std::string& path);

nlohmann::ordered_json profile_json(const Chain& chain, const ProfileOptions& options);

// "SunSpec discovery of <Mn> <Md> <SN> <Vr>, unit U, base B" plus the quirks met.
std::string profile_source(const Chain& chain);

}  // namespace regpoll::sunspec
