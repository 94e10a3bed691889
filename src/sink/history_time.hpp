#pragma once
// Points in time as `regpoll history --since/--until` takes them and --time iso prints them.
// Pure: "now" is a parameter.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace regpoll::sink {

// Unix milliseconds from:
//   "now"; a duration back from now: "90s", "15m", "1h", "7d";
//   ISO 8601 in UTC unless an offset is given: "2026-11-20", "2026-11-20T10:00",
//   "2026-11-20T10:00:00Z", "2026-11-20 10:00:00.250+01:00" (a space may replace the T).
Expected<std::int64_t, std::string> parse_time_point(std::string_view text, std::int64_t now_ms);

// "2026-11-20T10:00:00.250Z"
std::string format_time_utc(std::int64_t unix_ms);

}  // namespace regpoll::sink
