#pragma once
// What the framings share: an ADU (unit + PDU, plus the MBAP transaction id) and the
// result of an incremental parse over the bytes received so far.
#include <cstdint>
#include <system_error>

#include "modbus/pdu.hpp"

namespace regpoll::modbus {

struct Adu {
    std::uint16_t transaction = 0;  // MBAP only
    std::uint8_t unit = 0;
    Pdu pdu;
};

enum class Direction { request, response };

struct ParseResult {
    enum class Status { need_more, frame, error };
    Status status = Status::need_more;
    // Bytes of the input this result accounts for: the frame, or the bytes to discard
    // (garbage before a frame, a corrupt frame). The caller drops them before parsing on.
    std::size_t consumed = 0;
    Adu adu;
    std::error_code error;
};

}  // namespace regpoll::modbus
