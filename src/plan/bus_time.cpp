#include "plan/bus_time.hpp"

namespace regpoll::plan {
namespace {

double silence_seconds(const LineSettings& line) {
    if (line.baud > 19200) return 0.00175;
    return 3.5 * line.bits_per_char / line.baud;
}

// Bytes of address + PDU + check (RTU) for the request and the normal response.
std::pair<double, double> frame_bytes(const Block& b) {
    const double data = modbus::is_bit_kind(b.kind) ? (b.count + 7) / 8 : 2.0 * b.count;
    return {1 + 5 + 2, 1 + 2 + data + 2};
}

}  // namespace

double block_wire_seconds(const Block& block, const LineSettings& line) {
    auto [request, response] = frame_bytes(block);
    double chars = request + response;
    if (line.framing == SerialFraming::ascii) {
        // ':' + two hex characters per byte (LRC is one byte, not two) + CR LF
        chars = (1 + 2 * (request - 1) + 2) + (1 + 2 * (response - 1) + 2);
    }
    return chars * line.bits_per_char / line.baud + 2 * silence_seconds(line);
}

double cycle_wire_seconds(const DevicePlan& plan, const LineSettings& line) {
    double total = 0;
    for (const auto& g : plan.groups) {
        for (const auto& b : g.blocks) total += block_wire_seconds(b, line);
    }
    return total;
}

double line_utilisation(const DevicePlan& plan, const LineSettings& line) {
    double share = 0;
    for (const auto& g : plan.groups) {
        double group_time = 0;
        for (const auto& b : g.blocks) group_time += block_wire_seconds(b, line);
        const double interval = std::chrono::duration<double>(g.interval).count();
        share += interval > 0 ? group_time / interval : 1.0;
    }
    return share;
}

}  // namespace regpoll::plan
