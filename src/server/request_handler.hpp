#pragma once
// A unit's side of one Modbus transaction: request PDU in, response PDU out. The checks
// follow the specification's order for every function: unsupported function → ILLEGAL
// FUNCTION, bad quantity or inconsistent length → ILLEGAL DATA VALUE, address range not
// mapped → ILLEGAL DATA ADDRESS; only a request that passes all three changes the tables.
#include <cstdint>
#include <span>

#include "modbus/error.hpp"
#include "modbus/pdu.hpp"
#include "server/data_tables.hpp"

namespace regpoll::server {

// Limits a device may have below the specification's.
struct RequestLimits {
    // FC3/4 and the read half of FC23 above this get ILLEGAL DATA VALUE, as devices with
    // small buffers answer (Growatt v3.15: 45). Values above 125 mean 125.
    std::uint16_t max_read_registers = modbus::max_read_registers;
};

// Executes `request` against `tables` and returns the response PDU: the normal response
// or an exception. No I/O and no clock: the same tables and request give the same answer.
// Returns an empty PDU when nothing can be answered (an empty request, or a function code
// of 0x80 and above, which only responses carry).
modbus::Pdu handle_request(UnitTables& tables, std::span<const std::uint8_t> request,
                           const RequestLimits& limits = {});

// Exception response PDU: function | 0x80, then the code (1..255).
modbus::Pdu exception_response(std::uint8_t function, modbus::Errc code);

// FC43/14 for one unit's identity; `request` is the whole PDU (2B 0E code object).
// Stream codes 1-3 return the objects of their category from the requested object on
// (from the first one when that object does not exist), splitting with "more follows"
// when they do not fit in one PDU; code 4 returns one object or ILLEGAL DATA ADDRESS.
modbus::Pdu read_device_identification(const DeviceIdentity& identity,
                                       std::span<const std::uint8_t> request);

}  // namespace regpoll::server
