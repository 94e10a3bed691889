#include "plan/bus_time.hpp"

#include <string>

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

std::optional<LineSettings> line_settings(const transport::Uri& uri) {
    if (!uri.is_serial()) return std::nullopt;
    LineSettings line;
    line.framing = uri.scheme == "rtu" ? SerialFraming::rtu : SerialFraming::ascii;
    auto number = [&](const char* key, unsigned fallback) {
        auto v = uri.param(key);
        try {
            return v ? static_cast<unsigned>(std::stoul(*v)) : fallback;
        } catch (const std::exception&) {
            return fallback;
        }
    };
    line.baud = number("baud", 19200);
    const unsigned data = number("data", uri.scheme == "rtu" ? 8 : 7);
    const unsigned stop = number("stop", 1);
    const bool parity = uri.param("parity").value_or("E") != "N";
    line.bits_per_char = 1 + data + (parity ? 1 : 0) + stop;
    if (line.baud == 0) line.baud = 19200;
    return line;
}

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
