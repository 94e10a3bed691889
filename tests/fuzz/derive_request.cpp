#include <algorithm>
#include <vector>

#include "fuzz_support.hpp"

namespace regpoll::fuzz {
namespace {

using modbus::Function;
using modbus::Pdu;

// 1..limit, so any raw value gives a quantity the builders accept.
std::uint16_t fold_quantity(std::uint16_t raw, std::uint16_t limit) {
    return static_cast<std::uint16_t>(raw % limit + 1);
}

// Moves the address down until address + quantity stays inside the 65536-entry table.
std::uint16_t fit_address(std::uint16_t address, std::size_t quantity) {
    if (address + quantity <= 0x10000) return address;
    return static_cast<std::uint16_t>(0x10000 - quantity);
}

Pdu accepted(Expected<Pdu> pdu) {
    require(pdu.has_value(), "a builder accepts a request within the specification's limits");
    return std::move(pdu).value();
}

Pdu read_request(ByteReader& in, Function fn, std::uint16_t limit) {
    const std::uint16_t raw_address = in.u16();
    const std::uint16_t quantity = fold_quantity(in.u16(), limit);
    return accepted(modbus::make_read_request(fn, fit_address(raw_address, quantity), quantity));
}

std::vector<std::uint16_t> register_values(ByteReader& in, std::size_t count) {
    std::vector<std::uint16_t> values(count);
    for (auto& v : values) v = in.u16();
    return values;
}

Pdu write_coils(ByteReader& in) {
    const std::uint16_t raw_address = in.u16();
    const std::uint16_t quantity = fold_quantity(in.u16(), modbus::max_write_bits);
    std::vector<bool> values(quantity);
    std::uint8_t byte = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i % 8 == 0) byte = in.u8();
        values[i] = ((byte >> (i % 8)) & 1U) != 0;
    }
    return accepted(modbus::make_write_multiple_coils(fit_address(raw_address, quantity), values));
}

Pdu write_registers(ByteReader& in) {
    const std::uint16_t raw_address = in.u16();
    const std::uint16_t quantity = fold_quantity(in.u16(), modbus::max_write_registers);
    const auto values = register_values(in, quantity);
    return accepted(
        modbus::make_write_multiple_registers(fit_address(raw_address, quantity), values));
}

Pdu read_write_registers(ByteReader& in) {
    const std::uint16_t raw_read_address = in.u16();
    const std::uint16_t read_quantity = fold_quantity(in.u16(), modbus::max_rw_read_registers);
    const std::uint16_t raw_write_address = in.u16();
    const std::uint16_t write_quantity = fold_quantity(in.u16(), modbus::max_rw_write_registers);
    const auto values = register_values(in, write_quantity);
    return accepted(modbus::make_read_write_registers(
        fit_address(raw_read_address, read_quantity), read_quantity,
        fit_address(raw_write_address, write_quantity), values));
}

Pdu diagnostics_echo(ByteReader& in) {
    // make_diagnostics_echo takes 1..250 bytes (sub-function + data within 253).
    const std::size_t length = in.u8() % 250U + 1U;
    std::vector<std::uint8_t> data(length, 0);
    const auto available = in.bytes(length);
    std::copy(available.begin(), available.end(), data.begin());
    return accepted(modbus::make_diagnostics_echo(data));
}

}  // namespace

Pdu derive_request(ByteReader& in) {
    const auto kind =
        static_cast<RequestKind>(in.u8() % static_cast<std::uint8_t>(RequestKind::count));
    switch (kind) {
        case RequestKind::read_coils:
            return read_request(in, Function::read_coils, modbus::max_read_bits);
        case RequestKind::read_discrete_inputs:
            return read_request(in, Function::read_discrete_inputs, modbus::max_read_bits);
        case RequestKind::read_holding_registers:
            return read_request(in, Function::read_holding_registers, modbus::max_read_registers);
        case RequestKind::read_input_registers:
            return read_request(in, Function::read_input_registers, modbus::max_read_registers);
        case RequestKind::write_single_coil: {
            const std::uint16_t address = in.u16();
            return modbus::make_write_single_coil(address, (in.u8() & 1U) != 0);
        }
        case RequestKind::write_single_register: {
            const std::uint16_t address = in.u16();
            return modbus::make_write_single_register(address, in.u16());
        }
        case RequestKind::write_multiple_coils:
            return write_coils(in);
        case RequestKind::write_multiple_registers:
            return write_registers(in);
        case RequestKind::mask_write_register: {
            const std::uint16_t address = in.u16();
            const std::uint16_t and_mask = in.u16();
            return modbus::make_mask_write_register(address, and_mask, in.u16());
        }
        case RequestKind::read_write_registers:
            return read_write_registers(in);
        case RequestKind::read_device_identification: {
            const auto read_code = static_cast<std::uint8_t>(in.u8() % 4U + 1U);
            return accepted(modbus::make_read_device_identification(read_code, in.u8()));
        }
        case RequestKind::diagnostics_echo:
            return diagnostics_echo(in);
        case RequestKind::report_server_id:
        case RequestKind::count:
            break;
    }
    return modbus::make_report_server_id();
}

}  // namespace regpoll::fuzz
