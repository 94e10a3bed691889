#include "transport/response_assembler.hpp"

#include <utility>

#include "modbus/ascii.hpp"
#include "modbus/error.hpp"
#include "modbus/mbap.hpp"
#include "modbus/pdu_length.hpp"
#include "modbus/rtu.hpp"

namespace regpoll::transport {
namespace {

using modbus::Errc;
using modbus::ParseResult;

std::vector<std::uint8_t> encode(const SentRequest& r) {
    switch (r.framing) {
        case modbus::Framing::rtu: return modbus::encode_rtu(r.unit, r.pdu);
        case modbus::Framing::ascii: return modbus::encode_ascii(r.unit, r.pdu);
        case modbus::Framing::mbap: return modbus::encode_mbap(r.transaction, r.unit, r.pdu);
    }
    return {};
}

ResponseAssembler::Progress failed(std::error_code ec) {
    ResponseAssembler::Progress p;
    p.done = true;
    p.error = ec;
    return p;
}

}  // namespace

bool is_broadcastable(const modbus::Pdu& request) {
    if (request.empty()) return false;
    switch (static_cast<modbus::Function>(request[0])) {
        case modbus::Function::write_single_coil:
        case modbus::Function::write_single_register:
        case modbus::Function::write_multiple_coils:
        case modbus::Function::write_multiple_registers:
        case modbus::Function::mask_write_register:
            return true;
        default:
            return false;
    }
}

ResponseAssembler::ResponseAssembler(SentRequest request)
    : request_(std::move(request)), request_frame_(encode(request_)) {
    if (!request_.echo) echo_matched_ = request_frame_.size();
}

std::size_t ResponseAssembler::longest_response() const {
    std::size_t pdu = modbus::expected_response_pdu_length(request_.pdu);
    if (pdu == 0) pdu = modbus::max_pdu_size;
    switch (request_.framing) {
        case modbus::Framing::rtu: return pdu + 3;                // unit, PDU, CRC
        case modbus::Framing::ascii: return 2 * (pdu + 2) + 3;    // ':', hex, CR LF
        case modbus::Framing::mbap: return pdu + 7;
    }
    return pdu;
}

bool ResponseAssembler::partial() const {
    return (echo_matched_ > 0 && echo_remaining() > 0) || !buffer_.empty();
}

ResponseAssembler::Progress ResponseAssembler::feed(std::span<const std::uint8_t> chunk) {
    std::size_t i = 0;
    for (; i < chunk.size() && echo_remaining() > 0; ++i, ++echo_matched_) {
        if (chunk[i] != request_frame_[echo_matched_]) {
            // Not our echo: the adapter garbled it, or it does not echo at all (echo=1
            // on an adapter without echo). Either way the line must resynchronise.
            buffer_.assign(chunk.begin() + static_cast<long>(i), chunk.end());
            return failed(modbus::make_error_code(Errc::echo_mismatch));
        }
    }
    if (i == chunk.size()) return {};
    buffer_.insert(buffer_.end(), chunk.begin() + static_cast<long>(i), chunk.end());
    Progress p = parse();
    p.strays = std::exchange(strays_, 0);
    return p;
}

ResponseAssembler::Progress ResponseAssembler::parse() {
    while (!buffer_.empty()) {
        ParseResult r;
        switch (request_.framing) {
            case modbus::Framing::rtu:
                r = modbus::parse_rtu(buffer_, modbus::Direction::response, request_.pdu);
                break;
            case modbus::Framing::ascii: r = modbus::parse_ascii(buffer_); break;
            case modbus::Framing::mbap: r = modbus::parse_mbap(buffer_); break;
        }
        if (r.status == ParseResult::Status::error) return failed(r.error);
        if (r.status == ParseResult::Status::need_more) {
            if (r.consumed == 0) return {};
            // ASCII: noise before the ':' that starts a frame.
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(r.consumed));
            continue;
        }
        if (request_.framing == modbus::Framing::mbap &&
            r.adu.transaction != request_.transaction) {
            // A late answer to a request that already timed out: never ours.
            ++strays_;
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(r.consumed));
            continue;
        }
        return finish(r.consumed, r.adu.unit, std::move(r.adu.pdu));
    }
    return {};
}

ResponseAssembler::Progress ResponseAssembler::finish(std::size_t frame_length, std::uint8_t unit,
                                                      modbus::Pdu pdu) {
    Progress p;
    p.done = true;
    p.trailing = buffer_.size() - frame_length;
    buffer_.resize(frame_length);
    p.error = unit == request_.unit ? modbus::check_response(request_.pdu, pdu)
                                    : modbus::make_error_code(Errc::unit_mismatch);
    p.pdu = std::move(pdu);
    return p;
}

}  // namespace regpoll::transport
