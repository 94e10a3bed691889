#pragma once
// One error vocabulary for Modbus exception replies and frame/link faults, as a
// std::error_code category. Link errors from Asio arrive as std::error_code too
// (system category); `policy_of` classifies both for the poller.
#include <cstdint>
#include <system_error>

namespace regpoll::modbus {

enum class Errc {
    // Exception codes keep their wire values (1..255).
    illegal_function = 1,
    illegal_data_address = 2,
    illegal_data_value = 3,
    server_device_failure = 4,
    acknowledge = 5,
    server_device_busy = 6,
    negative_acknowledge = 7,
    memory_parity_error = 8,
    gateway_path_unavailable = 10,
    gateway_target_failed = 11,
    // Frame and link faults.
    timeout = 0x100,
    bad_crc,
    bad_lrc,
    malformed_frame,
    frame_too_long,
    transaction_mismatch,
    protocol_mismatch,
    unit_mismatch,
    function_mismatch,
    byte_count_mismatch,
    echo_mismatch,
    unknown_function,
    invalid_request,
    connection_closed,
    refused_by_allow_list,
    cancelled,
};

const std::error_category& modbus_category();
std::error_code make_error_code(Errc e);

// An exception reply (code 1..255) carried as an error code.
std::error_code make_exception_error(std::uint8_t exception_code);
bool is_exception(std::error_code ec);

// What the poller does about an error (CONVENTIONS.md, point 9).
enum class Policy {
    transient,    // retry next cycle (garbled frame, busy device)
    device_down,  // count towards offline, back off (timeout, no connection, gateway)
    unsupported,  // the request itself is refused: split the block or drop the points
    configuration // our request can never be valid: refuse to start
};
Policy policy_of(std::error_code ec);

}  // namespace regpoll::modbus

template <>
struct std::is_error_code_enum<regpoll::modbus::Errc> : std::true_type {};
