#pragma once
// What `regpoll discover` shows of a walked chain: the tree as text and as one JSON object,
// and each point's scaled value.
#include <string>

#include <nlohmann/json.hpp>

#include "codec/value.hpp"
#include "sunspec/chain_walker.hpp"

namespace regpoll::sunspec {

// The point's value scaled by its scale factor; monostate ("n/a") for the sentinels.
codec::Value point_value(const DiscoveredModel& model, const PlacedPoint& point);

// Enum: the symbol's name; bitfield: the names of the set bits joined by ","; else "".
std::string symbol_text(const PointDef& def, const codec::Value& raw);

// ID, L and pads are structure, not values: the tree and the profile leave them out.
bool is_value_point(const PlacedPoint& point);

// "unit 1, base 40000: ..." then per device and model an indented block.
std::string chain_text(const Chain& chain);

nlohmann::ordered_json chain_json(const Chain& chain);

}  // namespace regpoll::sunspec
