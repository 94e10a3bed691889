#pragma once
// "sunspec" in sim.json: SunSpec chains served as they are, from a preset or described
// model by model (sunspec/chain_image.hpp).
//   "sunspec": [
//     { "preset": "fronius" },                      // fronius, sma, solaredge, kostal
//     { "unit": 3, "base": 50000, "end": "exception", "listen": "tcp://127.0.0.1:5021",
//       "models": [ { "id": 1, "values": { "Mn": "Acme", "SN": "7" }, "length": 65 },
//                   { "id": 103, "values": { "W": 2500, "W_SF": 0, "PhVphA": null } },
//                   { "id": 160, "repeats": 3 } ] }
//   ]
// "end": "ffff" (default), "zero" (a zero id) or "exception" (the registers just end).
// A value of null is "not implemented". Values are engineering values; scale factors are
// point values like any other ("W_SF": 0).
#include <cstdint>
#include <string>
#include <vector>

#include "profile/json_reader.hpp"

namespace regpoll::sim {

struct SimConfig;
struct ListenerSpec;

struct SunspecChainSpec {
    std::uint8_t unit = 1;
    std::uint16_t base = 40000;
    std::vector<std::uint16_t> registers;  // from base on
    std::size_t listener = 0;
    std::string description;  // "fronius preset", "3 models", for the plan
    std::string json_path;
};

// Parses the "sunspec" list of the sim.json `top` reads (if any) into config.sunspec;
// chains get their listeners as devices do.
void parse_sunspec_chains(profile::JsonReader& top, const std::string& default_uri,
                          const ListenerSpec& defaults, SimConfig& config);

}  // namespace regpoll::sim
