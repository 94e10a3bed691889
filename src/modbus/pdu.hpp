#pragma once
// Modbus PDUs (function code + data) as pure functions over bytes: request builders that
// enforce the specification's limits, and response checks that validate every field
// before a value is trusted. Framings (MBAP, RTU, ASCII) wrap these PDUs.
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "common/expected.hpp"

namespace regpoll::modbus {

using Pdu = std::vector<std::uint8_t>;

enum class Function : std::uint8_t {
    read_coils = 1,
    read_discrete_inputs = 2,
    read_holding_registers = 3,
    read_input_registers = 4,
    write_single_coil = 5,
    write_single_register = 6,
    diagnostics = 8,
    write_multiple_coils = 15,
    write_multiple_registers = 16,
    report_server_id = 17,
    mask_write_register = 22,
    read_write_multiple_registers = 23,
    encapsulated_interface = 43,
};

// Limits from the specification (quantities per request, PDU size).
inline constexpr std::size_t max_pdu_size = 253;
inline constexpr std::uint16_t max_read_bits = 2000;
inline constexpr std::uint16_t max_read_registers = 125;
inline constexpr std::uint16_t max_write_bits = 1968;
inline constexpr std::uint16_t max_write_registers = 123;
inline constexpr std::uint16_t max_rw_read_registers = 125;
inline constexpr std::uint16_t max_rw_write_registers = 121;
inline constexpr std::uint8_t mei_read_device_id = 0x0E;

// --- request builders: invalid arguments never reach the wire -------------------------
// FC1/2 (bits) and FC3/4 (registers); `fn` must be one of those four.
Expected<Pdu> make_read_request(Function fn, std::uint16_t address, std::uint16_t quantity);
Pdu make_write_single_coil(std::uint16_t address, bool on);
Pdu make_write_single_register(std::uint16_t address, std::uint16_t value);
Expected<Pdu> make_write_multiple_coils(std::uint16_t address, const std::vector<bool>& values);
Expected<Pdu> make_write_multiple_registers(std::uint16_t address,
                                            std::span<const std::uint16_t> values);
Pdu make_mask_write_register(std::uint16_t address, std::uint16_t and_mask,
                             std::uint16_t or_mask);
Expected<Pdu> make_read_write_registers(std::uint16_t read_address, std::uint16_t read_quantity,
                                        std::uint16_t write_address,
                                        std::span<const std::uint16_t> values);
// FC43/14; read_code 1..4 (basic, regular, extended stream, one object).
Expected<Pdu> make_read_device_identification(std::uint8_t read_code, std::uint8_t object_id);
// FC8 sub-function 0 (return query data): the server echoes `data`. On serial lines a
// server can only frame it as sub-function + one word, so send exactly 2 bytes there.
Expected<Pdu> make_diagnostics_echo(std::span<const std::uint8_t> data);
Pdu make_report_server_id();

// --- responses ----------------------------------------------------------------------
// Checks `response` against the `request` it answers: exception replies become their
// typed error; function echo, byte counts against the requested quantity and write echoes
// are verified. Returns an empty error_code when the response can be trusted.
std::error_code check_response(std::span<const std::uint8_t> request,
                               std::span<const std::uint8_t> response);

// Values of a checked FC3/4/23 response.
Expected<std::vector<std::uint16_t>> parse_registers(std::span<const std::uint8_t> request,
                                                     std::span<const std::uint8_t> response);
// Bits of a checked FC1/2 response, exactly the requested quantity.
Expected<std::vector<bool>> parse_bits(std::span<const std::uint8_t> request,
                                       std::span<const std::uint8_t> response);

struct DeviceIdentification {
    std::uint8_t conformity = 0;
    bool more_follows = false;
    std::uint8_t next_object_id = 0;
    std::vector<std::pair<std::uint8_t, std::string>> objects;  // id, text
    // The text of object `id`, or an empty string.
    std::string object(std::uint8_t id) const;
};
Expected<DeviceIdentification> parse_device_identification(
    std::span<const std::uint8_t> request, std::span<const std::uint8_t> response);

struct ServerId {
    std::vector<std::uint8_t> data;  // device-specific: id, run indicator, extra bytes
};
Expected<ServerId> parse_report_server_id(std::span<const std::uint8_t> request,
                                          std::span<const std::uint8_t> response);

// Big-endian 16-bit field helpers used by all framings.
inline std::uint16_t get_u16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline void put_u16(Pdu& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

}  // namespace regpoll::modbus
