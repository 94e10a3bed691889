#include "modbus/pdu.hpp"

#include <algorithm>

#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

Unexpected<std::error_code> fail(Errc e) { return Unexpected{make_error_code(e)}; }

bool address_range_ok(std::uint16_t address, std::size_t quantity) {
    return quantity >= 1 && static_cast<std::size_t>(address) + quantity <= 0x10000;
}

std::uint8_t fn_byte(Function fn) { return static_cast<std::uint8_t>(fn); }

// Walks the object list of an FC43/14 response; false when the lengths do not add up.
bool walk_device_objects(std::span<const std::uint8_t> rsp, DeviceIdentification* out) {
    if (rsp.size() < 7) return false;
    std::size_t pos = 7;
    for (unsigned i = 0; i < rsp[6]; ++i) {
        if (pos + 2 > rsp.size()) return false;
        const std::uint8_t id = rsp[pos];
        const std::size_t len = rsp[pos + 1];
        if (pos + 2 + len > rsp.size()) return false;
        if (out) {
            out->objects.emplace_back(
                id, std::string(reinterpret_cast<const char*>(rsp.data() + pos + 2), len));
        }
        pos += 2 + len;
    }
    return pos == rsp.size();
}

}  // namespace

Expected<Pdu> make_read_request(Function fn, std::uint16_t address, std::uint16_t quantity) {
    std::uint16_t limit = 0;
    switch (fn) {
        case Function::read_coils:
        case Function::read_discrete_inputs: limit = max_read_bits; break;
        case Function::read_holding_registers:
        case Function::read_input_registers: limit = max_read_registers; break;
        default: return fail(Errc::invalid_request);
    }
    if (quantity > limit || !address_range_ok(address, quantity)) {
        return fail(Errc::invalid_request);
    }
    Pdu pdu{fn_byte(fn)};
    put_u16(pdu, address);
    put_u16(pdu, quantity);
    return pdu;
}

Pdu make_write_single_coil(std::uint16_t address, bool on) {
    Pdu pdu{fn_byte(Function::write_single_coil)};
    put_u16(pdu, address);
    put_u16(pdu, on ? 0xFF00 : 0x0000);
    return pdu;
}

Pdu make_write_single_register(std::uint16_t address, std::uint16_t value) {
    Pdu pdu{fn_byte(Function::write_single_register)};
    put_u16(pdu, address);
    put_u16(pdu, value);
    return pdu;
}

Expected<Pdu> make_write_multiple_coils(std::uint16_t address, const std::vector<bool>& values) {
    if (values.size() > max_write_bits || !address_range_ok(address, values.size())) {
        return fail(Errc::invalid_request);
    }
    const auto count = static_cast<std::uint16_t>(values.size());
    Pdu pdu{fn_byte(Function::write_multiple_coils)};
    put_u16(pdu, address);
    put_u16(pdu, count);
    pdu.push_back(static_cast<std::uint8_t>((count + 7) / 8));
    std::size_t first_data = pdu.size();
    pdu.resize(first_data + (count + 7) / 8, 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i]) pdu[first_data + i / 8] |= static_cast<std::uint8_t>(1U << (i % 8));
    }
    return pdu;
}

Expected<Pdu> make_write_multiple_registers(std::uint16_t address,
                                            std::span<const std::uint16_t> values) {
    if (values.size() > max_write_registers || !address_range_ok(address, values.size())) {
        return fail(Errc::invalid_request);
    }
    Pdu pdu{fn_byte(Function::write_multiple_registers)};
    put_u16(pdu, address);
    put_u16(pdu, static_cast<std::uint16_t>(values.size()));
    pdu.push_back(static_cast<std::uint8_t>(values.size() * 2));
    for (std::uint16_t v : values) put_u16(pdu, v);
    return pdu;
}

Pdu make_mask_write_register(std::uint16_t address, std::uint16_t and_mask,
                             std::uint16_t or_mask) {
    Pdu pdu{fn_byte(Function::mask_write_register)};
    put_u16(pdu, address);
    put_u16(pdu, and_mask);
    put_u16(pdu, or_mask);
    return pdu;
}

Expected<Pdu> make_read_write_registers(std::uint16_t read_address, std::uint16_t read_quantity,
                                        std::uint16_t write_address,
                                        std::span<const std::uint16_t> values) {
    if (read_quantity > max_rw_read_registers || values.size() > max_rw_write_registers ||
        !address_range_ok(read_address, read_quantity) ||
        !address_range_ok(write_address, values.size())) {
        return fail(Errc::invalid_request);
    }
    Pdu pdu{fn_byte(Function::read_write_multiple_registers)};
    put_u16(pdu, read_address);
    put_u16(pdu, read_quantity);
    put_u16(pdu, write_address);
    put_u16(pdu, static_cast<std::uint16_t>(values.size()));
    pdu.push_back(static_cast<std::uint8_t>(values.size() * 2));
    for (std::uint16_t v : values) put_u16(pdu, v);
    return pdu;
}

Expected<Pdu> make_read_device_identification(std::uint8_t read_code, std::uint8_t object_id) {
    if (read_code < 1 || read_code > 4) return fail(Errc::invalid_request);
    return Pdu{fn_byte(Function::encapsulated_interface), mei_read_device_id, read_code, object_id};
}

Expected<Pdu> make_diagnostics_echo(std::span<const std::uint8_t> data) {
    if (data.empty() || data.size() + 3 > max_pdu_size) return fail(Errc::invalid_request);
    Pdu pdu{fn_byte(Function::diagnostics), 0x00, 0x00};
    pdu.insert(pdu.end(), data.begin(), data.end());
    return pdu;
}

Pdu make_report_server_id() { return Pdu{fn_byte(Function::report_server_id)}; }

std::error_code check_response(std::span<const std::uint8_t> req,
                               std::span<const std::uint8_t> rsp) {
    if (req.empty() || rsp.empty()) return make_error_code(Errc::malformed_frame);
    const std::uint8_t fc = req[0];
    if (rsp[0] == (fc | 0x80)) {
        if (rsp.size() != 2 || rsp[1] == 0) return make_error_code(Errc::malformed_frame);
        return make_exception_error(rsp[1]);
    }
    if (rsp[0] != fc) return make_error_code(Errc::function_mismatch);

    auto counted = [&](std::size_t expected_bytes) -> std::error_code {
        if (rsp.size() < 2) return make_error_code(Errc::malformed_frame);
        if (rsp[1] != expected_bytes) return make_error_code(Errc::byte_count_mismatch);
        if (rsp.size() != 2 + expected_bytes) return make_error_code(Errc::malformed_frame);
        return {};
    };
    auto echoed = [&](std::size_t length) -> std::error_code {
        if (rsp.size() != length) return make_error_code(Errc::malformed_frame);
        if (!std::equal(rsp.begin(), rsp.end(), req.begin())) {
            return make_error_code(Errc::echo_mismatch);
        }
        return {};
    };

    switch (static_cast<Function>(fc)) {
        case Function::read_coils:
        case Function::read_discrete_inputs:
            return counted((get_u16(req, 3) + 7U) / 8U);
        case Function::read_holding_registers:
        case Function::read_input_registers:
        case Function::read_write_multiple_registers:
            return counted(get_u16(req, 3) * 2U);
        case Function::write_single_coil:
        case Function::write_single_register:
        case Function::write_multiple_coils:
        case Function::write_multiple_registers:
            return echoed(5);
        case Function::mask_write_register:
            return echoed(7);
        case Function::diagnostics:
            return echoed(req.size());
        case Function::report_server_id:
            if (rsp.size() < 2) return make_error_code(Errc::malformed_frame);
            return counted(rsp[1]);
        case Function::encapsulated_interface:
            if (rsp.size() < 7 || rsp[1] != req[1] || rsp[2] != req[2]) {
                return make_error_code(Errc::malformed_frame);
            }
            return walk_device_objects(rsp, nullptr) ? std::error_code{}
                                                     : make_error_code(Errc::malformed_frame);
    }
    return make_error_code(Errc::unknown_function);
}

Expected<std::vector<std::uint16_t>> parse_registers(std::span<const std::uint8_t> req,
                                                     std::span<const std::uint8_t> rsp) {
    if (auto ec = check_response(req, rsp)) return Unexpected{ec};
    const auto fn = static_cast<Function>(req[0]);
    if (fn != Function::read_holding_registers && fn != Function::read_input_registers &&
        fn != Function::read_write_multiple_registers) {
        return fail(Errc::function_mismatch);
    }
    std::vector<std::uint16_t> regs(rsp[1] / 2U);
    for (std::size_t i = 0; i < regs.size(); ++i) regs[i] = get_u16(rsp, 2 + 2 * i);
    return regs;
}

Expected<std::vector<bool>> parse_bits(std::span<const std::uint8_t> req,
                                       std::span<const std::uint8_t> rsp) {
    if (auto ec = check_response(req, rsp)) return Unexpected{ec};
    const auto fn = static_cast<Function>(req[0]);
    if (fn != Function::read_coils && fn != Function::read_discrete_inputs) {
        return fail(Errc::function_mismatch);
    }
    // Some devices set bits past the requested quantity; only the requested ones count.
    std::vector<bool> bits(get_u16(req, 3));
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (rsp[2 + i / 8] >> (i % 8)) & 1U;
    return bits;
}

std::string DeviceIdentification::object(std::uint8_t id) const {
    for (const auto& [object_id, text] : objects) {
        if (object_id == id) return text;
    }
    return {};
}

Expected<DeviceIdentification> parse_device_identification(std::span<const std::uint8_t> req,
                                                           std::span<const std::uint8_t> rsp) {
    if (auto ec = check_response(req, rsp)) return Unexpected{ec};
    if (req[0] != fn_byte(Function::encapsulated_interface)) return fail(Errc::function_mismatch);
    DeviceIdentification id;
    id.conformity = rsp[3];
    id.more_follows = rsp[4] == 0xFF;
    id.next_object_id = rsp[5];
    walk_device_objects(rsp, &id);
    return id;
}

Expected<ServerId> parse_report_server_id(std::span<const std::uint8_t> req,
                                          std::span<const std::uint8_t> rsp) {
    if (auto ec = check_response(req, rsp)) return Unexpected{ec};
    if (req[0] != fn_byte(Function::report_server_id)) return fail(Errc::function_mismatch);
    return ServerId{std::vector<std::uint8_t>(rsp.begin() + 2, rsp.end())};
}

}  // namespace regpoll::modbus
