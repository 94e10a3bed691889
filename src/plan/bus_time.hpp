#pragma once
// Wire time of a poll cycle on a serial line: frame bytes at the line's character time
// plus the 3.5-character silence before every frame (1.75 ms above 19200 baud). Lets
// `validate` and `run` warn when a bus cannot keep up with its devices' intervals.
#include <chrono>
#include <optional>
#include <vector>

#include "plan/block_planner.hpp"
#include "transport/uri.hpp"

namespace regpoll::plan {

enum class SerialFraming { rtu, ascii };

struct LineSettings {
    unsigned baud = 19200;
    unsigned bits_per_char = 11;  // start + 8 data + parity/2nd stop + stop (RTU); ASCII: 10
    SerialFraming framing = SerialFraming::rtu;
};

// The line of a serial bus URI (rtu://, ascii://: baud, data, parity, stop); nullopt for
// other buses, whose time is not the wire's.
std::optional<LineSettings> line_settings(const transport::Uri& uri);

// Seconds on the wire for one request/response pair reading `block`.
double block_wire_seconds(const Block& block, const LineSettings& line);
// One cycle of every group of the plan.
double cycle_wire_seconds(const DevicePlan& plan, const LineSettings& line);
// Share of the line a device's plan needs at its groups' intervals (1.0 = saturated).
double line_utilisation(const DevicePlan& plan, const LineSettings& line);

}  // namespace regpoll::plan
