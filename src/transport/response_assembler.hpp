#pragma once
// Assembles the response to one request from the bytes a medium delivers, in whatever
// chunks they come: strips an RS485 adapter's echo of the request, finds the end of the
// response from its expected length (RTU), its CR LF (ASCII) or its length field (MBAP),
// and checks unit, checksum and content against the request. Pure: no I/O and no clock;
// the link owns the timing (gaps, timeouts, silence).
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "modbus/frame_dump.hpp"
#include "modbus/pdu.hpp"

namespace regpoll::transport {

struct SentRequest {
    modbus::Framing framing = modbus::Framing::rtu;
    std::uint8_t unit = 1;
    modbus::Pdu pdu;
    std::uint16_t transaction = 0;  // MBAP only
    bool echo = false;              // the medium echoes the request before the response
};

// Only writes may be broadcast (MSL §2.1): a read to unit 0 could never be answered.
bool is_broadcastable(const modbus::Pdu& request);

class ResponseAssembler {
public:
    struct Progress {
        bool done = false;
        // When done: empty for a good response; an exception reply, a content check
        // failure, or a framing error (bad CRC/LRC, wrong unit, echo mismatch, garbage).
        std::error_code error;
        modbus::Pdu pdu;         // the response PDU when a frame was found
        std::size_t trailing = 0;  // bytes of the last chunk after the frame (noise)
        std::size_t strays = 0;    // whole frames skipped (MBAP answers to older requests)
    };

    explicit ResponseAssembler(SentRequest request);

    // The frame to send for the request.
    const std::vector<std::uint8_t>& request_frame() const { return request_frame_; }
    // Characters of the longest normal response (for its wire time): by the request's
    // expected length, or the largest PDU when only the response can tell (FC17, FC43).
    std::size_t longest_response() const;
    Progress feed(std::span<const std::uint8_t> chunk);
    // Inside the echo or a response frame: a silence now is a gap inside a frame.
    bool partial() const;
    // Echo bytes still expected (0 when echo is off or complete).
    std::size_t echo_remaining() const { return request_frame_.size() - echo_matched_; }
    // The response bytes received so far (the frame once done), for frame dumps.
    std::span<const std::uint8_t> received() const { return buffer_; }

private:
    Progress parse();
    Progress finish(std::size_t frame_length, std::uint8_t unit, modbus::Pdu pdu);

    SentRequest request_;
    std::vector<std::uint8_t> request_frame_;
    std::size_t echo_matched_ = 0;
    std::vector<std::uint8_t> buffer_;
    std::size_t strays_ = 0;
};

}  // namespace regpoll::transport
