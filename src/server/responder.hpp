#pragma once
// The medium-independent half of a server: a parsed request frame in, the bytes to send
// (or a reason to send nothing) out. Routes by unit id, applies broadcast rules and the
// fault policy, and frames the answer. TCP and serial servers both drive one of these.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "modbus/frame.hpp"
#include "modbus/frame_dump.hpp"
#include "server/data_tables.hpp"
#include "server/fault_policy.hpp"
#include "server/request_handler.hpp"

namespace regpoll::server {

// The answer to a unit id nobody serves.
enum class UnknownUnit {
    silent,                    // no reply, like an absent device on a serial bus
    gateway_path_unavailable,  // exception 0x0A
    gateway_target_failed,     // exception 0x0B, as a TCP gateway answers
};

struct ServeOptions {
    UnknownUnit unknown_unit = UnknownUnit::silent;
    // Unit 0 is the broadcast address: write requests run on every served unit, and no
    // request to unit 0 is ever answered. Off: unit 0 is an ordinary unit id.
    bool broadcast = false;
    RequestLimits limits;
};

// Answers `pdu` addressed to `unit`: the response PDU, or nothing (broadcast, a silent
// unknown unit, a PDU that cannot be answered). Writes change `tables`.
std::optional<modbus::Pdu> route_request(DataTables& tables, std::uint8_t unit,
                                         std::span<const std::uint8_t> pdu,
                                         const ServeOptions& options);

struct ServerStats {
    std::uint64_t connections = 0;      // TCP connections accepted
    std::uint64_t requests = 0;         // request frames received intact
    std::uint64_t replies = 0;          // frames sent (exceptions included)
    std::uint64_t exceptions = 0;       // exception replies (injected ones included)
    std::uint64_t unanswered = 0;       // requests with no reply (broadcast, silent, dropped)
    std::uint64_t bad_frames = 0;       // CRC, LRC and framing errors (discarded)
    std::uint64_t injected_faults = 0;  // requests a fault changed

    // Totals over several listeners.
    ServerStats& operator+=(const ServerStats& s) {
        connections += s.connections;
        requests += s.requests;
        replies += s.replies;
        exceptions += s.exceptions;
        unanswered += s.unanswered;
        bad_frames += s.bad_frames;
        injected_faults += s.injected_faults;
        return *this;
    }
};

struct ServerReply {
    enum class Action { send, none, disconnect };
    Action action = Action::none;
    std::vector<std::uint8_t> adu;  // send: the framed reply
    Milliseconds delay{0};          // send: wait this long first
};

class Responder {
  public:
    Responder(DataTables& tables, modbus::Framing framing, ServeOptions options,
              FaultPolicy faults = FaultPolicy{});

    // Parses one request from the front of `buffer` in this responder's framing.
    modbus::ParseResult parse(std::span<const std::uint8_t> buffer) const;
    // Decides and executes one request; counts it in stats().
    ServerReply respond(const modbus::Adu& request);
    void count_bad_frame() { ++stats_.bad_frames; }

    modbus::Framing framing() const { return framing_; }
    const ServeOptions& options() const { return options_; }
    const ServerStats& stats() const { return stats_; }
    ServerStats& stats() { return stats_; }

  private:
    std::vector<std::uint8_t> encode(const modbus::Adu& request, const modbus::Pdu& pdu,
                                     bool corrupt) const;

    DataTables& tables_;
    modbus::Framing framing_;
    ServeOptions options_;
    FaultPolicy faults_;
    ServerStats stats_;
};

}  // namespace regpoll::server
