#pragma once
// regpoll probe: one read of `count` registers, every reading of them side by side
// (probe_readings.hpp). Its own header, like the option structs of commands.hpp.
#include <string>

#include "app/commands.hpp"

namespace regpoll::app {

struct ProbeArgs {
    LinkArgs link;
    std::string register_kind = "holding";
    int address = 0;
    int count = 4;  // registers (not values): 4 shows every 64-bit reading of the first
    bool json = false;
};

int run_probe(const ProbeArgs& args);

}  // namespace regpoll::app
