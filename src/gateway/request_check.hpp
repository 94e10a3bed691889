#pragma once
// What the gateway checks of a client's request before anything else trusts it, as pure
// functions: the function codes it serves, every length and quantity, and answers from the
// held values.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "modbus/error.hpp"
#include "modbus/pdu.hpp"
#include "poll/held_registers.hpp"

namespace regpoll::gateway {

// FC 1-6, 15, 16, 23 and 43/14. Anything else: illegal function.
bool is_served_function(std::span<const std::uint8_t> pdu);
bool is_write(std::span<const std::uint8_t> pdu);
bool is_read(std::span<const std::uint8_t> pdu);  // FC 1-4

// The exception a request earns by its shape (served functions only): illegal data value
// for a wrong length, quantity or byte count, illegal data address for a range past 65535,
// as a device would answer. nullopt: the request may go to the device.
std::optional<modbus::Errc> check_request(std::span<const std::uint8_t> pdu);

// The response to a checked FC1-4 request from values held since `since`, or nullopt when
// one of them is missing or older.
std::optional<modbus::Pdu> answer_from_held(const poll::HeldRegisters& held,
                                            std::span<const std::uint8_t> pdu,
                                            poll::HeldRegisters::Clock::time_point since);

}  // namespace regpoll::gateway
