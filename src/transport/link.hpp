#pragma once
// One link per bus: a queue of Modbus transactions over one medium. Every medium (TCP,
// RTU, ASCII, RTU over TCP, listen mode) implements this interface in its own file.
// Handlers run on the io_context the link was made with; never from inside
// async_transact itself.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "modbus/frame_dump.hpp"
#include "modbus/pdu.hpp"

namespace regpoll::transport {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

// Receives the checked response PDU, or an error (exception replies are errors in the
// modbus category; socket errors in the system category).
using Handler = std::function<void(std::error_code, modbus::Pdu)>;

// Called with every frame sent (tx = true) or received, for --debug dumps.
using FrameTrace = std::function<void(bool tx, modbus::Framing, std::span<const std::uint8_t>)>;

struct LinkStats {
    std::uint64_t requests = 0;
    std::uint64_t responses = 0;
    std::uint64_t errors = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t stray_frames = 0;  // late or unmatched responses, discarded
    std::uint64_t connects = 0;
};

class Link {
public:
    virtual ~Link() = default;
    // Queues one request for `unit`. `timeout` runs from the moment the request is sent.
    virtual void async_transact(std::uint8_t unit, modbus::Pdu request, Milliseconds timeout,
                                Handler handler) = 0;
    // Fails everything queued with Errc::cancelled and closes the medium.
    virtual void close() = 0;
    virtual std::string describe() const = 0;

    void set_trace(FrameTrace trace) { trace_ = std::move(trace); }
    const LinkStats& stats() const { return stats_; }

protected:
    FrameTrace trace_;
    LinkStats stats_;
};

}  // namespace regpoll::transport
