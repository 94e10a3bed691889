#pragma once
// The compiled plan in words, printed by `validate` and logged by `run` at start:
// requests per cycle, registers touched, and on serial lines the wire time per cycle
// against the interval, with a warning when a bus cannot keep up.
#include <string>
#include <vector>

#include "profile/site_config.hpp"

namespace regpoll::app {

struct PlanReport {
    std::vector<std::string> lines;
    std::vector<std::string> warnings;
};

PlanReport plan_report(const profile::SiteConfig& config, bool verbose);

}  // namespace regpoll::app
