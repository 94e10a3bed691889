#include "server/responder.hpp"

#include "modbus/ascii.hpp"
#include "modbus/mbap.hpp"
#include "modbus/rtu.hpp"

namespace regpoll::server {
namespace {

using modbus::Function;

bool is_broadcast_write(std::uint8_t fc) {
    switch (static_cast<Function>(fc)) {
        case Function::write_single_coil:
        case Function::write_single_register:
        case Function::write_multiple_coils:
        case Function::write_multiple_registers:
        case Function::mask_write_register:
            return true;
        default:
            return false;
    }
}

// A hex digit other than `c`, so a damaged LRC is still well-formed ASCII.
std::uint8_t other_hex_digit(std::uint8_t c) {
    return c == '0' ? '1' : '0';
}

}  // namespace

std::optional<modbus::Pdu> route_request(DataTables& tables, std::uint8_t unit,
                                         std::span<const std::uint8_t> pdu,
                                         const ServeOptions& options) {
    if (unit == 0 && options.broadcast) {
        if (!pdu.empty() && is_broadcast_write(pdu[0])) {
            for (std::uint8_t id : tables.unit_ids()) {
                (void)handle_request(*tables.unit(id), pdu, options.limits);
            }
        }
        return std::nullopt;
    }
    UnitTables* target = tables.unit(unit);
    if (target == nullptr) {
        if (pdu.empty() || pdu[0] >= 0x80) return std::nullopt;
        switch (options.unknown_unit) {
            case UnknownUnit::silent:
                return std::nullopt;
            case UnknownUnit::gateway_path_unavailable:
                return exception_response(pdu[0], modbus::Errc::gateway_path_unavailable);
            case UnknownUnit::gateway_target_failed:
                return exception_response(pdu[0], modbus::Errc::gateway_target_failed);
        }
    }
    modbus::Pdu rsp = handle_request(*target, pdu, options.limits);
    if (rsp.empty()) return std::nullopt;
    return rsp;
}

Responder::Responder(DataTables& tables, modbus::Framing framing, ServeOptions options,
                     FaultPolicy faults)
    : tables_(tables), framing_(framing), options_(options), faults_(std::move(faults)) {}

modbus::ParseResult Responder::parse(std::span<const std::uint8_t> buffer) const {
    switch (framing_) {
        case modbus::Framing::mbap:
            return modbus::parse_mbap(buffer);
        case modbus::Framing::rtu:
            return modbus::parse_rtu(buffer, modbus::Direction::request);
        case modbus::Framing::ascii:
            return modbus::parse_ascii(buffer);
    }
    return modbus::parse_mbap(buffer);
}

ServerReply Responder::respond(const modbus::Adu& request) {
    ++stats_.requests;
    ServerReply reply;
    const FaultDecision fault = faults_.decide();
    if (fault.disconnect) {
        ++stats_.injected_faults;
        reply.action = ServerReply::Action::disconnect;
        return reply;
    }
    std::optional<modbus::Pdu> rsp;
    const bool broadcast = request.unit == 0 && options_.broadcast;
    if (fault.exception && !broadcast && !request.pdu.empty() && request.pdu[0] < 0x80) {
        ++stats_.injected_faults;
        rsp = exception_response(request.pdu[0], faults_.settings().exception_code);
    } else {
        rsp = route_request(tables_, request.unit, request.pdu, options_);
    }
    if (!rsp || fault.drop) {
        if (rsp) ++stats_.injected_faults;
        ++stats_.unanswered;
        return reply;
    }
    const bool corrupt = fault.corrupt && framing_ != modbus::Framing::mbap;
    if (corrupt || fault.delay.count() > 0) ++stats_.injected_faults;
    if (rsp->size() == 2 && ((*rsp)[0] & 0x80) != 0) ++stats_.exceptions;
    ++stats_.replies;
    reply.action = ServerReply::Action::send;
    reply.adu = encode(request, *rsp, corrupt);
    reply.delay = fault.delay;
    return reply;
}

std::vector<std::uint8_t> Responder::encode(const modbus::Adu& request, const modbus::Pdu& pdu,
                                            bool corrupt) const {
    std::vector<std::uint8_t> adu;
    switch (framing_) {
        case modbus::Framing::mbap:
            return modbus::encode_mbap(request.transaction, request.unit, pdu);
        case modbus::Framing::rtu:
            adu = modbus::encode_rtu(request.unit, pdu);
            if (corrupt) adu.back() ^= 0xA5;
            return adu;
        case modbus::Framing::ascii:
            adu = modbus::encode_ascii(request.unit, pdu);
            // ':' ... LRC(2) CR LF: change the LRC's low digit.
            if (corrupt) adu[adu.size() - 3] = other_hex_digit(adu[adu.size() - 3]);
            return adu;
    }
    return adu;
}

}  // namespace regpoll::server
