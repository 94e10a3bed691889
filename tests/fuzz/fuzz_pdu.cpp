// libFuzzer target: the PDU response checks against a request derived from the input.
//
// Input: the request's bytes (see derive_request), then the response PDU.
// Beyond "never crashes": the checks and the parsers agree with each other, and with the
// length rules the serial framings use to delimit the same response.
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "modbus/error.hpp"
#include "modbus/pdu_length.hpp"

using namespace regpoll;
using modbus::Function;

namespace {

bool is_one_of(std::uint8_t fc, std::initializer_list<Function> fns) {
    for (Function fn : fns) {
        if (fc == static_cast<std::uint8_t>(fn)) return true;
    }
    return false;
}

// The request as the length rules see it: every builder's output is one complete
// request (FC8 aside, whose serial length rule assumes one data word).
void check_request_length(const modbus::Pdu& req) {
    const auto probe = modbus::request_pdu_length(req);
    if (req[0] == static_cast<std::uint8_t>(Function::diagnostics) && req.size() != 5) return;
    fuzz::require(probe.kind == modbus::LengthProbe::Kind::complete && probe.length == req.size(),
                  "request_pdu_length measures a built request exactly");
}

void check_accepted(const modbus::Pdu& req, std::span<const std::uint8_t> rsp) {
    fuzz::require(!rsp.empty() && rsp[0] == req[0], "an accepted response echoes the function");
    const std::size_t fixed = modbus::expected_response_pdu_length(req);
    fuzz::require(fixed == 0 || fixed == rsp.size(),
                  "an accepted response has the length the request implies");
    // check_response itself does not cap FC17/FC43 replies at 253 bytes; no framing can
    // deliver a longer PDU, so the framings' length rules only have to agree up to there.
    if (rsp.size() > modbus::max_pdu_size) return;
    const auto probe = modbus::response_pdu_length(rsp, req);
    fuzz::require(probe.kind == modbus::LengthProbe::Kind::complete && probe.length == rsp.size(),
                  "response_pdu_length delimits an accepted response exactly (RTU framing)");
}

void check_parsers(const modbus::Pdu& req, std::span<const std::uint8_t> rsp, std::error_code ec) {
    const std::uint8_t fc = req[0];
    const auto regs = modbus::parse_registers(req, rsp);
    fuzz::require(
        regs.has_value() ==
            (!ec && is_one_of(fc, {Function::read_holding_registers, Function::read_input_registers,
                                   Function::read_write_multiple_registers})),
        "parse_registers succeeds exactly for accepted register reads");
    if (regs) {
        fuzz::require(regs->size() == modbus::get_u16(req, 3), "one value per requested register");
        for (std::size_t i = 0; i < regs->size(); ++i) {
            fuzz::require((*regs)[i] == modbus::get_u16(rsp, 2 + 2 * i),
                          "register values big endian");
        }
    }

    const auto bits = modbus::parse_bits(req, rsp);
    fuzz::require(bits.has_value() == (!ec && is_one_of(fc, {Function::read_coils,
                                                             Function::read_discrete_inputs})),
                  "parse_bits succeeds exactly for accepted bit reads");
    if (bits) {
        fuzz::require(bits->size() == modbus::get_u16(req, 3), "exactly the requested bits");
        for (std::size_t i = 0; i < bits->size(); ++i) {
            fuzz::require((*bits)[i] == (((rsp[2 + i / 8] >> (i % 8)) & 1U) != 0),
                          "bits LSB first");
        }
    }

    const auto id = modbus::parse_device_identification(req, rsp);
    fuzz::require(id.has_value() == (!ec && is_one_of(fc, {Function::encapsulated_interface})),
                  "parse_device_identification succeeds exactly for accepted FC43 replies");
    if (id) {
        fuzz::require(id->objects.size() == rsp[6], "one object per announced object");
        std::size_t bytes = 7;
        for (const auto& object : id->objects) bytes += 2 + object.second.size();
        fuzz::require(bytes == rsp.size(), "the objects account for every byte of the reply");
    }

    const auto server = modbus::parse_report_server_id(req, rsp);
    fuzz::require(server.has_value() == (!ec && is_one_of(fc, {Function::report_server_id})),
                  "parse_report_server_id succeeds exactly for accepted FC17 replies");
    if (server) fuzz::require(server->data.size() + 2 == rsp.size(), "server id data is the rest");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const modbus::Pdu req = fuzz::derive_request(in);
    const auto rsp = in.rest();
    check_request_length(req);

    const std::error_code ec = modbus::check_response(req, rsp);
    if (ec) {
        fuzz::require_readable_error(ec);
        (void)modbus::policy_of(ec);
        if (modbus::is_exception(ec)) {
            fuzz::require(rsp.size() == 2 && rsp[0] == (req[0] | 0x80U) && rsp[1] == ec.value(),
                          "an exception error comes from a two-byte exception reply");
        }
    } else {
        check_accepted(req, rsp);
    }
    check_parsers(req, rsp, ec);
    return 0;
}
