#pragma once
// "keepalive": the writable points a device forgets unless they are rewritten in time
// (chargers with a write watchdog), and how often regpoll rewrites them.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"
#include "profile/point.hpp"

namespace regpoll::profile {

// Reads a profile's "keepalive" list, [{"point": "max_current", "every": "25s"}] or with a
// fixed value written from the start, [{"point": "alive", "every": "5s", "value": 1}], checked
// against the profile's points and limits; mistakes go to `diag` under `json_path`.
std::vector<Keepalive> parse_keepalive(const Json& list, const std::vector<Point>& points,
                                       const Limits& limits, const std::string& file,
                                       const std::string& json_path, Diagnostics& diag);

// A site device's "keepalive" applied to the profile's `kept`: an entry for a point kept
// alive replaces that entry (without "value" it keeps the profile's fixed value), one for
// another point adds it, "every": "off" removes the point's, and [] removes them all. Each
// entry is checked as a profile's is, against the device's points and limits.
std::vector<Keepalive> apply_site_keepalive(const Json& list, std::vector<Keepalive> kept,
                                            const std::vector<Point>& points, const Limits& limits,
                                            const std::string& file, const std::string& json_path,
                                            Diagnostics& diag);

// What is wrong with `k` for a device with these points and limits, as the key at fault
// ("point", "every" or "value") and the message; nullopt when it can run. Site devices
// that change a profile's points or limits are checked again with it.
std::optional<std::pair<std::string, std::string>> keepalive_problem(
    const Keepalive& k, const std::vector<Point>& points, const Limits& limits);

}  // namespace regpoll::profile
