// libFuzzer target: the request PDUs a Modbus server receives from its clients, through
// both of regpoll's servers: the simulator's request handler (src/server) and the gateway's
// checks and answers from held values (src/gateway, src/poll/held_registers).
//
// Input: a setup byte (bit 0: overlaid tables, bit 1: every address mapped, else one range
// per table from the next 16 bytes, bit 2: a device with 45-register reads, bit 3: long
// extended identification objects), then requests, each a length byte (modulo 254) and
// that many bytes. The tables keep what earlier requests wrote.
//
// Beyond "never crashes": the server's normal answers pass the client's own response
// check; the gateway refuses nothing the server would accept, and with the same code;
// an answer from held values equals the device's answer it was learnt from.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fuzz_support.hpp"
#include "gateway/request_check.hpp"
#include "modbus/pdu.hpp"
#include "poll/held_registers.hpp"
#include "server/request_handler.hpp"

using namespace regpoll;
using modbus::Errc;
using modbus::Function;
using modbus::RegisterKind;

namespace {

using Held = poll::HeldRegisters;

constexpr std::array<RegisterKind, 4> kinds{RegisterKind::coil, RegisterKind::discrete,
                                            RegisterKind::holding, RegisterKind::input};

void set_up(server::UnitTables& tables, std::uint8_t setup, fuzz::ByteReader& in) {
    if ((setup & 2U) != 0) {
        tables.map_all();
    } else {
        for (const auto kind : kinds) {
            const std::uint16_t address = in.u16();
            tables.map(kind, address, in.u16());
        }
    }
    if ((setup & 8U) != 0) {
        for (std::uint8_t id = 0x80; id < 0x84; ++id)
            tables.identity().set_object(id, std::string(200, static_cast<char>('A' + id - 0x80)));
    }
}

void check_server_answer(std::span<const std::uint8_t> req, const modbus::Pdu& rsp) {
    if (req.empty() || req[0] >= 0x80) {
        fuzz::require(rsp.empty(), "no answer to an empty request or a response's function code");
        return;
    }
    fuzz::require(!rsp.empty() && rsp.size() <= modbus::max_pdu_size,
                  "an answer has 1..253 bytes");
    const std::uint8_t fc = req[0];
    if (rsp[0] == (fc | 0x80U)) {
        fuzz::require(rsp.size() == 2 && rsp[1] != 0, "an exception is function | 0x80 and a code");
        return;
    }
    fuzz::require(rsp[0] == fc, "a normal answer carries the request's function code");
    const std::error_code ec = modbus::check_response(req, rsp);
    fuzz::require(!ec, "a client accepts every normal answer the server gives");
}

// The gateway's verdict against the server's: a request the gateway refuses, the server
// refuses with the same exception (it checks shape before the tables); with every address
// mapped and no device limit, a request the gateway lets through is no shape error there.
// A device with a smaller read limit than the protocol's refuses a longer read with
// ILLEGAL DATA VALUE before it looks at the address, as the specification orders the checks
// (quantity, then address + quantity), so that answer may stand for the gateway's 02.
void check_gateway_verdict(std::span<const std::uint8_t> req, const modbus::Pdu& rsp,
                           bool everything_mapped, bool device_limit) {
    if (!gateway::is_served_function(req)) return;
    const auto verdict = gateway::check_request(req);
    const bool exception = rsp.size() == 2 && rsp[0] == (req[0] | 0x80U);
    if (verdict && device_limit && exception &&
        rsp[1] == static_cast<std::uint8_t>(Errc::illegal_data_value)) {
        return;
    }
    if (verdict) {
        fuzz::require(exception && rsp[1] == static_cast<std::uint8_t>(*verdict),
                      "the server refuses what the gateway refuses, with the same code");
        return;
    }
    if (!everything_mapped || req[0] == static_cast<std::uint8_t>(Function::encapsulated_interface))
        return;
    fuzz::require(!exception || (rsp[1] != static_cast<std::uint8_t>(Errc::illegal_data_value) &&
                                 rsp[1] != static_cast<std::uint8_t>(Errc::illegal_data_address)),
                  "a request the gateway lets through is well-formed for the server");
}

// What the gateway learns from the exchange, as it does from the poller's: a read's answer
// is held and answers the same read again; a write drops what it wrote.
void check_held(Held& held, std::span<const std::uint8_t> req, const modbus::Pdu& rsp,
                Held::Clock::time_point now) {
    if (req.empty() || req[0] >= 0x80 || modbus::check_response(req, rsp)) return;
    held.absorb(req, rsp, now);
    if (gateway::is_read(req) && gateway::is_served_function(req) && !gateway::check_request(req)) {
        const auto again = gateway::answer_from_held(held, req, now);
        fuzz::require(again.has_value() && *again == rsp,
                      "a read answered from held values repeats the device's answer");
        const auto stale = gateway::answer_from_held(held, req, now + std::chrono::seconds(1));
        fuzz::require(!stale.has_value(), "values older than asked for answer nothing");
    }
    if (const auto written = poll::written_range(req); written && written->count > 0) {
        const auto fn = written->kind == RegisterKind::coil ? Function::read_coils
                                                            : Function::read_holding_registers;
        const auto read = modbus::make_read_request(fn, written->address, 1);
        if (read) {
            fuzz::require(!gateway::answer_from_held(held, *read, now).has_value() ||
                              req[0] == static_cast<std::uint8_t>(
                                            Function::read_write_multiple_registers),
                          "a written register is no longer answered from held values");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const std::uint8_t setup = in.u8();
    server::UnitTables tables((setup & 1U) != 0 ? server::TableLayout::overlaid
                                                : server::TableLayout::separate);
    set_up(tables, setup, in);
    server::RequestLimits limits;
    if ((setup & 4U) != 0) limits.max_read_registers = 45;
    const bool everything_mapped = (setup & 2U) != 0 && (setup & 4U) == 0;

    Held held;
    Held::Clock::time_point now{};
    while (!in.rest().empty()) {
        const std::size_t length = in.u8() % (modbus::max_pdu_size + 1U);
        const auto req = in.bytes(length);
        const modbus::Pdu rsp = server::handle_request(tables, req, limits);
        check_server_answer(req, rsp);
        if (req.empty()) continue;  // no framing delivers an empty PDU to the gateway
        check_gateway_verdict(req, rsp, everything_mapped, (setup & 4U) != 0);
        now += std::chrono::seconds(2);
        check_held(held, req, rsp, now);
    }
    return 0;
}
