#include "gateway/request_check.hpp"

#include <array>

namespace regpoll::gateway {
namespace {

using modbus::Errc;
using modbus::Function;
using modbus::get_u16;
using Request = std::span<const std::uint8_t>;

bool in_range(std::uint16_t address, std::uint16_t quantity) {
    return static_cast<std::uint32_t>(address) + quantity <= 0x10000;
}

// Fixed-size FC1-4 reads: quantity within the function's limit, range within the table.
std::optional<Errc> check_read(Request pdu, std::uint16_t limit) {
    if (pdu.size() != 5) return Errc::illegal_data_value;
    const auto quantity = get_u16(pdu, 3);
    if (quantity < 1 || quantity > limit) return Errc::illegal_data_value;
    if (!in_range(get_u16(pdu, 1), quantity)) return Errc::illegal_data_address;
    return std::nullopt;
}

// FC15/16: quantity, byte count and the data actually present agree.
std::optional<Errc> check_write_multiple(Request pdu, std::uint16_t limit, bool bits) {
    if (pdu.size() < 6) return Errc::illegal_data_value;
    const auto quantity = get_u16(pdu, 3);
    const std::size_t bytes = pdu[5];
    const std::size_t want = bits ? (quantity + 7U) / 8U : 2U * quantity;
    if (quantity < 1 || quantity > limit || bytes != want || pdu.size() != 6 + bytes)
        return Errc::illegal_data_value;
    if (!in_range(get_u16(pdu, 1), quantity)) return Errc::illegal_data_address;
    return std::nullopt;
}

std::optional<Errc> check_read_write(Request pdu) {
    if (pdu.size() < 10) return Errc::illegal_data_value;
    const auto read_quantity = get_u16(pdu, 3);
    const auto write_quantity = get_u16(pdu, 7);
    const std::size_t bytes = pdu[9];
    if (read_quantity < 1 || read_quantity > modbus::max_rw_read_registers || write_quantity < 1 ||
        write_quantity > modbus::max_rw_write_registers || bytes != 2U * write_quantity ||
        pdu.size() != 10 + bytes) {
        return Errc::illegal_data_value;
    }
    if (!in_range(get_u16(pdu, 1), read_quantity) || !in_range(get_u16(pdu, 5), write_quantity)) {
        return Errc::illegal_data_address;
    }
    return std::nullopt;
}

modbus::RegisterKind read_kind(std::uint8_t fc) {
    switch (static_cast<Function>(fc)) {
        case Function::read_coils:
            return modbus::RegisterKind::coil;
        case Function::read_discrete_inputs:
            return modbus::RegisterKind::discrete;
        case Function::read_input_registers:
            return modbus::RegisterKind::input;
        default:
            return modbus::RegisterKind::holding;
    }
}

}  // namespace

bool is_served_function(Request pdu) {
    if (pdu.empty()) return false;
    const auto fc = pdu[0];
    if ((fc >= 1 && fc <= 6) || fc == 15 || fc == 16 || fc == 23) return true;
    return fc == static_cast<std::uint8_t>(Function::encapsulated_interface) && pdu.size() >= 2 &&
           pdu[1] == modbus::mei_read_device_id;
}

bool is_write(Request pdu) {
    if (pdu.empty()) return false;
    const auto fc = pdu[0];
    return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 23;
}

bool is_read(Request pdu) {
    return !pdu.empty() && pdu[0] >= 1 && pdu[0] <= 4;
}

std::optional<Errc> check_request(Request pdu) {
    switch (static_cast<Function>(pdu[0])) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
            return check_read(pdu, modbus::max_read_bits);
        case Function::read_holding_registers:
        case Function::read_input_registers:
            return check_read(pdu, modbus::max_read_registers);
        case Function::write_single_coil:
            if (pdu.size() != 5) return Errc::illegal_data_value;
            if (get_u16(pdu, 3) != 0xFF00 && get_u16(pdu, 3) != 0) return Errc::illegal_data_value;
            return std::nullopt;
        case Function::write_single_register:
            return pdu.size() == 5 ? std::nullopt : std::optional<Errc>(Errc::illegal_data_value);
        case Function::write_multiple_coils:
            return check_write_multiple(pdu, modbus::max_write_bits, true);
        case Function::write_multiple_registers:
            return check_write_multiple(pdu, modbus::max_write_registers, false);
        case Function::read_write_multiple_registers:
            return check_read_write(pdu);
        default:
            return std::nullopt;  // FC43/14 checks its own request
    }
}

std::optional<modbus::Pdu> answer_from_held(const poll::HeldRegisters& held, Request pdu,
                                            poll::HeldRegisters::Clock::time_point since) {
    const auto fc = pdu[0];
    const auto address = get_u16(pdu, 1);
    const auto quantity = get_u16(pdu, 3);
    std::array<std::uint16_t, modbus::max_read_bits> values{};
    const std::span<std::uint16_t> out(values.data(), quantity);
    if (!held.read(read_kind(fc), address, out, since)) return std::nullopt;
    modbus::Pdu rsp{fc};
    if (fc <= 2) {
        const std::size_t bytes = (quantity + 7U) / 8U;
        rsp.push_back(static_cast<std::uint8_t>(bytes));
        rsp.resize(2 + bytes, 0);
        for (std::size_t i = 0; i < quantity; ++i) {
            if (out[i] != 0) rsp[2 + i / 8] |= static_cast<std::uint8_t>(1U << (i % 8));
        }
        return rsp;
    }
    rsp.push_back(static_cast<std::uint8_t>(2 * quantity));
    for (auto v : out) modbus::put_u16(rsp, v);
    return rsp;
}

}  // namespace regpoll::gateway
