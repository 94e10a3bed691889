#pragma once
// Unit id lists on the command line: "1-247", "1,2,126,200-204".
#include <optional>
#include <string>
#include <vector>

namespace regpoll::app {

// Sorted unique ids; nullopt (after printing a usage error naming `option`) when malformed.
std::optional<std::vector<int>> parse_units(const std::string& text,
                                            const std::string& option = "--units");

}  // namespace regpoll::app
