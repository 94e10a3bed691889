#pragma once
// Durations as people write them in configs and on the command line: "250ms", "10s",
// "1.5s", "5m", "2h", "30d". A bare number is refused: the unit is never guessed.
#include <chrono>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace regpoll {

Expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

}  // namespace regpoll
