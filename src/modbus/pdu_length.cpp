#include "modbus/pdu_length.hpp"

#include "modbus/pdu.hpp"

namespace regpoll::modbus {
namespace {

constexpr LengthProbe need(std::size_t n) { return {LengthProbe::Kind::need_more, n}; }
constexpr LengthProbe done(std::size_t n) { return {LengthProbe::Kind::complete, n}; }
constexpr LengthProbe invalid() { return {LengthProbe::Kind::invalid, 0}; }

// A length read at `count_at` gives `fixed + count`.
LengthProbe counted(std::span<const std::uint8_t> prefix, std::size_t count_at, std::size_t fixed) {
    if (prefix.size() <= count_at) return need(count_at + 1);
    const std::size_t total = fixed + prefix[count_at];
    return total > max_pdu_size ? invalid() : done(total);
}

// FC43/14: header of 7 bytes, then `count` objects of (id, length, bytes).
LengthProbe device_id_length(std::span<const std::uint8_t> prefix) {
    if (prefix.size() < 7) return need(7);
    std::size_t pos = 7;
    for (unsigned i = 0; i < prefix[6]; ++i) {
        if (prefix.size() < pos + 2) return need(pos + 2);
        pos += 2 + prefix[pos + 1];
        if (pos > max_pdu_size) return invalid();
    }
    return done(pos);
}

}  // namespace

LengthProbe response_pdu_length(std::span<const std::uint8_t> prefix,
                                std::span<const std::uint8_t> request) {
    if (prefix.empty()) return need(1);
    const std::uint8_t fc = prefix[0];
    if (fc & 0x80) return done(2);
    switch (static_cast<Function>(fc)) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
        case Function::read_holding_registers:
        case Function::read_input_registers:
        case Function::report_server_id:
        case Function::read_write_multiple_registers:
            return counted(prefix, 1, 2);
        case Function::write_single_coil:
        case Function::write_single_register:
        case Function::write_multiple_coils:
        case Function::write_multiple_registers:
            return done(5);
        case Function::mask_write_register:
            return done(7);
        case Function::diagnostics:
            return done(request.empty() ? 5 : request.size());
        case Function::encapsulated_interface:
            if (prefix.size() < 2) return need(2);
            return prefix[1] == mei_read_device_id ? device_id_length(prefix) : invalid();
    }
    return invalid();
}

LengthProbe request_pdu_length(std::span<const std::uint8_t> prefix) {
    if (prefix.empty()) return need(1);
    switch (static_cast<Function>(prefix[0])) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
        case Function::read_holding_registers:
        case Function::read_input_registers:
        case Function::write_single_coil:
        case Function::write_single_register:
        case Function::diagnostics:  // sub-function + one data word, as serial devices use it
            return done(5);
        case Function::write_multiple_coils:
        case Function::write_multiple_registers:
            return counted(prefix, 5, 6);
        case Function::report_server_id:
            return done(1);
        case Function::mask_write_register:
            return done(7);
        case Function::read_write_multiple_registers:
            return counted(prefix, 9, 10);
        case Function::encapsulated_interface:
            return done(4);
    }
    // Unknown function codes: a server answers ILLEGAL FUNCTION; assume no data.
    return prefix[0] >= 1 && prefix[0] < 0x80 ? done(1) : invalid();
}

std::size_t expected_response_pdu_length(std::span<const std::uint8_t> request) {
    if (request.empty()) return 0;
    switch (static_cast<Function>(request[0])) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
            return request.size() >= 5 ? 2 + (get_u16(request, 3) + 7U) / 8U : 0;
        case Function::read_holding_registers:
        case Function::read_input_registers:
        case Function::read_write_multiple_registers:
            return request.size() >= 5 ? 2 + get_u16(request, 3) * 2U : 0;
        case Function::write_single_coil:
        case Function::write_single_register:
        case Function::write_multiple_coils:
        case Function::write_multiple_registers:
            return 5;
        case Function::mask_write_register:
            return 7;
        case Function::diagnostics:
            return request.size();
        default:
            return 0;
    }
}

}  // namespace regpoll::modbus
