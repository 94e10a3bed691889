#include "common/duration.hpp"

#include <charconv>
#include <cmath>

namespace regpoll {

Expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
    const std::string quoted = "\"" + std::string(text) + "\"";
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end == text.data()) {
        return Unexpected{quoted + " is not a duration (expected e.g. 250ms, 10s, 5m)"};
    }
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    double factor = 0;
    if (unit == "ms") factor = 1;
    else if (unit == "s") factor = 1000;
    else if (unit == "m" || unit == "min") factor = 60'000;
    else if (unit == "h") factor = 3'600'000;
    else if (unit == "d") factor = 86'400'000;  // retention periods ("30d"); a day is 24 h of Unix time
    else if (unit.empty()) return Unexpected{quoted + " needs a unit (ms, s, m or h)"};
    else return Unexpected{quoted + ": unknown unit \"" + std::string(unit) + "\" (ms, s, m or h)"};
    const double ms = number * factor;
    if (!std::isfinite(ms) || ms < 0 || ms > 1e12) {
        return Unexpected{quoted + " is out of range"};
    }
    return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace regpoll
