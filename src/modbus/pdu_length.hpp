#pragma once
// How long a PDU is, judged from its first bytes. Serial framings have no length field:
// a master knows a response is complete from these rules (never by waiting for a
// timeout), and a server knows the same of a request.
#include <cstddef>
#include <cstdint>
#include <span>

namespace regpoll::modbus {

struct LengthProbe {
    enum class Kind { need_more, complete, invalid };
    Kind kind;
    // need_more: the prefix length needed to decide; complete: the whole PDU length.
    std::size_t length;
};

// `request` (optional) resolves lengths that only the request knows (FC8 echoes).
LengthProbe response_pdu_length(std::span<const std::uint8_t> prefix,
                                std::span<const std::uint8_t> request = {});
LengthProbe request_pdu_length(std::span<const std::uint8_t> prefix);

// Length of the normal (non-exception) response to `request`, when fixed by the request
// alone; 0 when it depends on the response's own content (FC17, FC43).
std::size_t expected_response_pdu_length(std::span<const std::uint8_t> request);

}  // namespace regpoll::modbus
