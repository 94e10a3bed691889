#include "modbus/error.hpp"

#include <string>

namespace regpoll::modbus {
namespace {

const char* exception_name(int code) {
    switch (code) {
        case 1: return "ILLEGAL FUNCTION";
        case 2: return "ILLEGAL DATA ADDRESS";
        case 3: return "ILLEGAL DATA VALUE";
        case 4: return "SERVER DEVICE FAILURE";
        case 5: return "ACKNOWLEDGE";
        case 6: return "SERVER DEVICE BUSY";
        case 7: return "NEGATIVE ACKNOWLEDGE";
        case 8: return "MEMORY PARITY ERROR";
        case 10: return "GATEWAY PATH UNAVAILABLE";
        case 11: return "GATEWAY TARGET DEVICE FAILED TO RESPOND";
        default: return "UNKNOWN EXCEPTION";
    }
}

class ModbusCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "modbus"; }
    std::string message(int ev) const override {
        if (ev >= 1 && ev <= 0xFF) {
            return std::string("exception ") + exception_name(ev) + " (" + std::to_string(ev) + ")";
        }
        switch (static_cast<Errc>(ev)) {
            case Errc::timeout: return "timeout";
            case Errc::bad_crc: return "bad CRC";
            case Errc::bad_lrc: return "bad LRC";
            case Errc::malformed_frame: return "malformed frame";
            case Errc::frame_too_long: return "frame too long";
            case Errc::transaction_mismatch: return "transaction id mismatch";
            case Errc::protocol_mismatch: return "protocol id is not 0 (not Modbus)";
            case Errc::unit_mismatch: return "response from the wrong unit";
            case Errc::function_mismatch: return "response function code does not match the request";
            case Errc::byte_count_mismatch: return "byte count does not match the requested quantity";
            case Errc::echo_mismatch: return "write echo does not match the request";
            case Errc::unknown_function: return "unknown function code";
            case Errc::invalid_request: return "invalid request";
            case Errc::connection_closed: return "connection closed by peer";
            case Errc::refused_by_allow_list: return "peer address not in the allow-list";
            case Errc::cancelled: return "cancelled";
            default: return "unknown modbus error " + std::to_string(ev);
        }
    }
};

}  // namespace

const std::error_category& modbus_category() {
    static const ModbusCategory category;
    return category;
}

std::error_code make_error_code(Errc e) { return {static_cast<int>(e), modbus_category()}; }

std::error_code make_exception_error(std::uint8_t exception_code) {
    return {exception_code, modbus_category()};
}

bool is_exception(std::error_code ec) {
    return ec.category() == modbus_category() && ec.value() >= 1 && ec.value() <= 0xFF;
}

Policy policy_of(std::error_code ec) {
    if (ec.category() != modbus_category()) return Policy::device_down;  // socket / serial errors
    switch (static_cast<Errc>(ec.value())) {
        case Errc::illegal_function:
        case Errc::illegal_data_address:
        case Errc::illegal_data_value:
            return Policy::unsupported;
        case Errc::gateway_path_unavailable:
        case Errc::gateway_target_failed:
        case Errc::timeout:
        case Errc::connection_closed:
        case Errc::refused_by_allow_list:
            return Policy::device_down;
        case Errc::invalid_request:
            return Policy::configuration;
        default:
            return Policy::transient;
    }
}

}  // namespace regpoll::modbus
