#include "profile/keepalive_parser.hpp"

#include <algorithm>

#include "common/duration.hpp"

namespace regpoll::profile {

std::optional<std::pair<std::string, std::string>> keepalive_problem(
    const Keepalive& k, const std::vector<Point>& points, const Limits& limits) {
    auto p = std::find_if(points.begin(), points.end(),
                          [&](const Point& q) { return q.name == k.point; });
    if (p == points.end()) return std::pair{"point", "no point \"" + k.point + "\" to keep alive"};
    if (!p->writable)
        return std::pair{
            "point", "point \"" + k.point + "\" is not writable, so there is nothing to rewrite"};
    if (k.every.count() <= 0)
        return std::pair{"every", std::string("the period must be longer than 0")};
    if (limits.write_watchdog && k.every >= *limits.write_watchdog) {
        return std::pair{"every", "\"" + format_duration(k.every) +
                                      "\" is not shorter than the device's write_watchdog (" +
                                      format_duration(*limits.write_watchdog) +
                                      "): the device would fall back before each rewrite"};
    }
    return std::nullopt;
}

std::vector<Keepalive> parse_keepalive(const Json& list, const std::vector<Point>& points,
                                       const Limits& limits, const std::string& file,
                                       const std::string& json_path, Diagnostics& diag) {
    std::vector<Keepalive> out;
    if (!list.is_array() || list.empty()) {
        diag.error(
            file, json_path,
            "expected a non-empty list of {\"point\": ..., \"every\": ...}, found " + shown(list));
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        JsonReader r(list[i], file, json_path + "/" + std::to_string(i), diag);
        if (!r.is_object()) continue;
        Keepalive k;
        auto point = r.string("point");
        auto every = r.duration("every");
        r.reject_unknown("point, every");
        if (!point) {
            if (!r.has("point")) r.error_here("a keepalive needs the \"point\" to rewrite");
            continue;
        }
        k.point = *point;
        if (!every) {
            if (!r.has("every"))
                r.error_here("a keepalive needs \"every\": how often to rewrite, such as \"25s\"");
            continue;
        }
        k.every = *every;
        if (auto problem = keepalive_problem(k, points, limits)) {
            r.error(problem->first, problem->second);
            continue;
        }
        if (std::any_of(out.begin(), out.end(),
                        [&](const Keepalive& o) { return o.point == k.point; })) {
            r.error("point", "point \"" + k.point + "\" is kept alive twice");
            continue;
        }
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace regpoll::profile
