#include "server/request_handler.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace regpoll::server {
namespace {

using modbus::Errc;
using modbus::Function;
using modbus::get_u16;
using modbus::Pdu;
using modbus::put_u16;
using Request = std::span<const std::uint8_t>;

// A table error as the exception a client sees (the tables only report unmapped
// addresses; anything else would be our bug, which a device reports as a failure).
Pdu table_exception(std::uint8_t fc, std::error_code ec) {
    if (modbus::is_exception(ec)) return exception_response(fc, static_cast<Errc>(ec.value()));
    return exception_response(fc, Errc::server_device_failure);
}

bool quantity_ok(std::uint16_t quantity, std::uint16_t limit) {
    return quantity >= 1 && quantity <= limit;
}

// address + quantity past 65536 is an address error, not a quantity error (spec 6.x).
bool range_ok(std::uint16_t address, std::uint16_t quantity) {
    return static_cast<std::uint32_t>(address) + quantity <= 0x10000;
}

Pdu read_bits(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() != 5) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t address = get_u16(req, 1);
    const std::uint16_t quantity = get_u16(req, 3);
    if (!quantity_ok(quantity, modbus::max_read_bits)) {
        return exception_response(fc, Errc::illegal_data_value);
    }
    if (!range_ok(address, quantity)) return exception_response(fc, Errc::illegal_data_address);
    const RegisterKind kind = fc == static_cast<std::uint8_t>(Function::read_coils)
                                  ? RegisterKind::coil
                                  : RegisterKind::discrete;
    std::vector<bool> bits(quantity);
    if (auto ec = tables.read_bits(kind, address, bits)) return table_exception(fc, ec);
    const std::size_t bytes = (quantity + 7U) / 8U;
    Pdu rsp{fc, static_cast<std::uint8_t>(bytes)};
    rsp.resize(2 + bytes, 0);
    for (std::size_t i = 0; i < bits.size(); ++i) {
        if (bits[i]) rsp[2 + i / 8] |= static_cast<std::uint8_t>(1U << (i % 8));
    }
    return rsp;
}

std::uint16_t read_register_limit(const RequestLimits& limits) {
    return std::min(limits.max_read_registers, modbus::max_read_registers);
}

// Appends byte count and the registers [address, address + quantity) of `kind`.
Pdu append_registers(const UnitTables& tables, RegisterKind kind, std::uint8_t fc,
                     std::uint16_t address, std::uint16_t quantity) {
    std::array<std::uint16_t, modbus::max_read_registers> values{};
    const std::span<std::uint16_t> out(values.data(), quantity);
    if (auto ec = tables.read_registers(kind, address, out)) return table_exception(fc, ec);
    Pdu rsp;
    rsp.reserve(2 + 2U * quantity);
    rsp.push_back(fc);
    rsp.push_back(static_cast<std::uint8_t>(2 * quantity));
    for (std::uint16_t v : out) put_u16(rsp, v);
    return rsp;
}

Pdu read_registers(UnitTables& tables, Request req, const RequestLimits& limits) {
    const std::uint8_t fc = req[0];
    if (req.size() != 5) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t address = get_u16(req, 1);
    const std::uint16_t quantity = get_u16(req, 3);
    if (!quantity_ok(quantity, read_register_limit(limits))) {
        return exception_response(fc, Errc::illegal_data_value);
    }
    if (!range_ok(address, quantity)) return exception_response(fc, Errc::illegal_data_address);
    const RegisterKind kind = fc == static_cast<std::uint8_t>(Function::read_holding_registers)
                                  ? RegisterKind::holding
                                  : RegisterKind::input;
    return append_registers(tables, kind, fc, address, quantity);
}

Pdu echo(Request req) {
    return Pdu(req.begin(), req.end());
}

Pdu write_single_coil(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() != 5) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t value = get_u16(req, 3);
    if (value != 0xFF00 && value != 0x0000) return exception_response(fc, Errc::illegal_data_value);
    if (auto ec = tables.write_bits(RegisterKind::coil, get_u16(req, 1), {value == 0xFF00})) {
        return table_exception(fc, ec);
    }
    return echo(req);
}

Pdu write_single_register(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() != 5) return exception_response(fc, Errc::illegal_data_value);
    const std::array<std::uint16_t, 1> value{get_u16(req, 3)};
    if (auto ec = tables.write_registers(RegisterKind::holding, get_u16(req, 1), value)) {
        return table_exception(fc, ec);
    }
    return echo(req);
}

// FC15/16 answer: function, address, quantity (the first five bytes of the request).
Pdu write_multiple_echo(Request req) {
    return Pdu(req.begin(), req.begin() + 5);
}

Pdu write_multiple_coils(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() < 6) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t address = get_u16(req, 1);
    const std::uint16_t quantity = get_u16(req, 3);
    const std::size_t bytes = req[5];
    if (!quantity_ok(quantity, modbus::max_write_bits) || bytes != (quantity + 7U) / 8U ||
        req.size() != 6 + bytes) {
        return exception_response(fc, Errc::illegal_data_value);
    }
    if (!range_ok(address, quantity)) return exception_response(fc, Errc::illegal_data_address);
    std::vector<bool> bits(quantity);
    for (std::size_t i = 0; i < quantity; ++i) bits[i] = ((req[6 + i / 8] >> (i % 8)) & 1U) != 0;
    if (auto ec = tables.write_bits(RegisterKind::coil, address, bits)) {
        return table_exception(fc, ec);
    }
    return write_multiple_echo(req);
}

// Registers in a request from byte `at` on.
std::vector<std::uint16_t> registers_in(Request req, std::size_t at, std::uint16_t count) {
    std::vector<std::uint16_t> values(count);
    for (std::size_t i = 0; i < count; ++i) values[i] = get_u16(req, at + 2 * i);
    return values;
}

Pdu write_multiple_registers(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() < 6) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t address = get_u16(req, 1);
    const std::uint16_t quantity = get_u16(req, 3);
    const std::size_t bytes = req[5];
    if (!quantity_ok(quantity, modbus::max_write_registers) || bytes != 2U * quantity ||
        req.size() != 6 + bytes) {
        return exception_response(fc, Errc::illegal_data_value);
    }
    if (!range_ok(address, quantity)) return exception_response(fc, Errc::illegal_data_address);
    if (auto ec = tables.write_registers(RegisterKind::holding, address,
                                         registers_in(req, 6, quantity))) {
        return table_exception(fc, ec);
    }
    return write_multiple_echo(req);
}

Pdu mask_write_register(UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() != 7) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t address = get_u16(req, 1);
    const std::uint16_t and_mask = get_u16(req, 3);
    const std::uint16_t or_mask = get_u16(req, 5);
    std::array<std::uint16_t, 1> value{};
    if (auto ec = tables.read_registers(RegisterKind::holding, address, value)) {
        return table_exception(fc, ec);
    }
    value[0] = static_cast<std::uint16_t>((value[0] & and_mask) | (or_mask & ~and_mask));
    if (auto ec = tables.write_registers(RegisterKind::holding, address, value)) {
        return table_exception(fc, ec);
    }
    return echo(req);
}

// FC23: the write happens before the read, and neither happens unless both ranges exist.
Pdu read_write_registers(UnitTables& tables, Request req, const RequestLimits& limits) {
    const std::uint8_t fc = req[0];
    if (req.size() < 10) return exception_response(fc, Errc::illegal_data_value);
    const std::uint16_t read_address = get_u16(req, 1);
    const std::uint16_t read_quantity = get_u16(req, 3);
    const std::uint16_t write_address = get_u16(req, 5);
    const std::uint16_t write_quantity = get_u16(req, 7);
    const std::size_t bytes = req[9];
    if (!quantity_ok(read_quantity, read_register_limit(limits)) ||
        !quantity_ok(write_quantity, modbus::max_rw_write_registers) ||
        bytes != 2U * write_quantity || req.size() != 10 + bytes) {
        return exception_response(fc, Errc::illegal_data_value);
    }
    if (!range_ok(read_address, read_quantity) || !range_ok(write_address, write_quantity) ||
        !tables.is_mapped(RegisterKind::holding, read_address, read_quantity)) {
        return exception_response(fc, Errc::illegal_data_address);
    }
    if (auto ec = tables.write_registers(RegisterKind::holding, write_address,
                                         registers_in(req, 10, write_quantity))) {
        return table_exception(fc, ec);
    }
    return append_registers(tables, RegisterKind::holding, fc, read_address, read_quantity);
}

// FC8: only sub-function 0 (return query data), which echoes the request whole.
Pdu diagnostics(Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() < 3) return exception_response(fc, Errc::illegal_data_value);
    if (get_u16(req, 1) != 0x0000) return exception_response(fc, Errc::illegal_function);
    return echo(req);
}

Pdu report_server_id(const UnitTables& tables, Request req) {
    const std::uint8_t fc = req[0];
    if (req.size() != 1) return exception_response(fc, Errc::illegal_data_value);
    const auto& data = tables.identity().server_id();
    Pdu rsp{fc, static_cast<std::uint8_t>(data.size())};
    rsp.insert(rsp.end(), data.begin(), data.end());
    return rsp;
}

}  // namespace

Pdu exception_response(std::uint8_t function, Errc code) {
    return Pdu{static_cast<std::uint8_t>(function | 0x80), static_cast<std::uint8_t>(code)};
}

Pdu handle_request(UnitTables& tables, Request req, const RequestLimits& limits) {
    if (req.empty() || req[0] >= 0x80) return {};
    switch (static_cast<Function>(req[0])) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
            return read_bits(tables, req);
        case Function::read_holding_registers:
        case Function::read_input_registers:
            return read_registers(tables, req, limits);
        case Function::write_single_coil:
            return write_single_coil(tables, req);
        case Function::write_single_register:
            return write_single_register(tables, req);
        case Function::diagnostics:
            return diagnostics(req);
        case Function::write_multiple_coils:
            return write_multiple_coils(tables, req);
        case Function::write_multiple_registers:
            return write_multiple_registers(tables, req);
        case Function::report_server_id:
            return report_server_id(tables, req);
        case Function::mask_write_register:
            return mask_write_register(tables, req);
        case Function::read_write_multiple_registers:
            return read_write_registers(tables, req, limits);
        case Function::encapsulated_interface:
            return read_device_identification(tables.identity(), req);
    }
    return exception_response(req[0], Errc::illegal_function);
}

}  // namespace regpoll::server
