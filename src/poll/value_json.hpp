#pragma once
// Decoded values as JSON: integers stay exact, NaN and infinities become null (JSON has
// neither), "not available" is null.
#include <nlohmann/json.hpp>

#include "codec/value.hpp"

namespace regpoll::poll {

nlohmann::ordered_json value_to_json(const codec::Value& value);

}  // namespace regpoll::poll
