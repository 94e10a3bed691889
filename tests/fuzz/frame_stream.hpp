#pragma once
// The invariants every incremental frame parser keeps, checked over a whole fuzz input
// the way a link drains its receive buffer: parse, drop `consumed` bytes, parse on.
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "modbus/frame.hpp"

namespace regpoll::fuzz {

using Status = modbus::ParseResult::Status;

// A streaming parser must not decide before the frame is complete: every proper prefix
// of a frame it accepts is "need more, nothing consumed" (so byte-at-a-time reads work).
template <class Parse>
void check_prefixes(std::span<const std::uint8_t> frame, const Parse& parse) {
    for (std::size_t k = 1; k < frame.size(); ++k) {
        const modbus::ParseResult r = parse(frame.first(k));
        require(r.status == Status::need_more && r.consumed == 0,
                "every proper prefix of a frame is need_more with nothing consumed");
    }
}

// `parse(span)` returns a ParseResult; `on_frame(adu, frame_bytes)` checks what is
// specific to the framing (re-encoding, above all). Returns the number of frames.
template <class Parse, class OnFrame>
std::size_t check_stream(std::span<const std::uint8_t> buffer, const Parse& parse,
                         const OnFrame& on_frame) {
    std::size_t frames = 0;
    while (!buffer.empty()) {
        const modbus::ParseResult r = parse(buffer);
        require(r.consumed <= buffer.size(), "consumed <= buffer.size()");
        if (r.status == Status::need_more) {
            require(!r.error, "need_more carries no error");
            if (r.consumed == 0) break;           // waiting for more bytes
            buffer = buffer.subspan(r.consumed);  // garbage dropped (ASCII)
            continue;
        }
        require(r.consumed > 0, "a frame or an error consumes bytes (the caller progresses)");
        if (r.status == Status::error) {
            require_readable_error(r.error);
        } else {
            require(!r.error, "a frame carries no error");
            require(!r.adu.pdu.empty() && r.adu.pdu.size() <= modbus::max_pdu_size,
                    "a frame's PDU has 1..253 bytes");
            const auto frame = buffer.first(r.consumed);
            on_frame(r.adu, frame);
            // Quadratic in the frame length: once per input keeps executions fast.
            if (frames == 0) check_prefixes(frame, parse);
            ++frames;
        }
        buffer = buffer.subspan(r.consumed);
    }
    return frames;
}

}  // namespace regpoll::fuzz
