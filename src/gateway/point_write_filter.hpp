#pragma once
// "writes": "points": a client may write only what home automation may write through
// MQTT. Every register (coil) the request changes belongs to points the device may write
// ("writable" in the profile and listed in the device's "writes"), each point is written
// whole, no other point shares the range, and each value keeps the point's min/max.
#include <optional>
#include <span>
#include <string>

#include "modbus/error.hpp"
#include "poll/held_registers.hpp"
#include "profile/site_config.hpp"

namespace regpoll::gateway {

struct WriteVerdict {
    modbus::Errc exception = modbus::Errc::illegal_data_address;  // 02 or 03
    std::string reason;                                           // for the log
};

// nullopt: the checked write request `pdu` may go to the device. Scale registers the
// points refer to are taken from `held` (the device's newest values).
std::optional<WriteVerdict> check_point_write(const profile::DeviceConfig& device,
                                              const poll::HeldRegisters& held,
                                              std::span<const std::uint8_t> pdu);

}  // namespace regpoll::gateway
