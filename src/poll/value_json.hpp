#pragma once
// Decoded values as JSON: integers stay exact, NaN and infinities become null (JSON has
// neither), "not available" is null.
#include <nlohmann/json.hpp>

#include "codec/value.hpp"
#include "poll/write_request.hpp"

namespace regpoll::poll {

nlohmann::ordered_json value_to_json(const codec::Value& value);

// How a write ended, as the result topic and `regpoll write -c --json` say it: fields added
// to `out`: "ok", then "value" (read back) and maybe "warning", or "error". A write-only
// point adds "read_back": false, and "value" is the value written.
void add_write_outcome(const WriteOutcome& outcome, nlohmann::ordered_json& out);

}  // namespace regpoll::poll
