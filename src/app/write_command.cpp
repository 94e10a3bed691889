// regpoll write: encodes typed values with the codec and picks the function code from the
// register kind and the number of registers (FC5/6 for one, FC15/16 otherwise), then
// verifies the device's echo.
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/format_args.hpp"
#include "app/session.hpp"
#include "codec/types.hpp"
#include "codec/value_text.hpp"

namespace regpoll::app {

int run_write(const WriteArgs& a) {
    auto kind = register_kind_arg(a.register_kind);
    if (!kind) return exit_usage;
    if (!modbus::is_writable_kind(*kind)) {
        print_error("--register " + a.register_kind + " is read-only (write holding or coil)");
        return exit_usage;
    }
    auto format = format_from_args({a.type, a.order, a.scale, a.offset, a.length, a.byte}, *kind);
    if (!format) return exit_usage;
    if (a.address < 0 || a.address > 65535) {
        print_error("--address " + std::to_string(a.address) + " is out of range (0-65535)");
        return exit_usage;
    }
    if (a.values.empty()) {
        print_error("no VALUE to write");
        return exit_usage;
    }

    std::vector<std::uint16_t> registers;
    std::vector<bool> bits;
    for (const auto& text : a.values) {
        codec::Format f = *format;
        if (f.type == codec::Type::string && a.length == 0) f.length = (text.size() + 1) / 2;
        auto words = codec::encode_text(text, f);
        if (!words) {
            print_error(words.error());
            return exit_usage;
        }
        if (modbus::is_bit_kind(*kind)) {
            bits.push_back(words->front() != 0);
        } else {
            registers.insert(registers.end(), words->begin(), words->end());
        }
    }

    const auto address = static_cast<std::uint16_t>(a.address);
    Expected<modbus::Pdu> request = Unexpected{std::error_code{}};
    if (modbus::is_bit_kind(*kind)) {
        request = bits.size() == 1 && !a.multiple ? Expected<modbus::Pdu>(modbus::make_write_single_coil(address, bits[0]))
                                                  : modbus::make_write_multiple_coils(address, bits);
    } else {
        request = registers.size() == 1 && !a.multiple
                      ? Expected<modbus::Pdu>(modbus::make_write_single_register(address, registers[0]))
                      : modbus::make_write_multiple_registers(address, registers);
    }
    if (!request) {
        const std::size_t n = modbus::is_bit_kind(*kind) ? bits.size() : registers.size();
        print_error("cannot write " + std::to_string(n) + (modbus::is_bit_kind(*kind) ? " coils" : " registers") +
                    " at address " + std::to_string(a.address) +
                    " (at most 1968 coils or 123 registers, ending at or before 65535)");
        return exit_usage;
    }
    auto session = Session::open(a.link);
    if (!session) return exit_usage;
    auto response = session->transact(*request);
    if (!response) {
        print_error(session->describe(response.error()));
        return exit_failure;
    }
    const int function = (*request)[0];
    const std::size_t written = modbus::is_bit_kind(*kind) ? bits.size() : registers.size();
    if (a.json) {
        nlohmann::ordered_json out;
        out["unit"] = session->unit();
        out["register"] = modbus::register_kind_name(*kind);
        out["address"] = a.address;
        out["type"] = codec::type_name(format->type);
        out["function"] = function;
        auto& raw = out["raw"] = nlohmann::ordered_json::array();
        if (modbus::is_bit_kind(*kind)) {
            for (bool b : bits) raw.push_back(b ? 1 : 0);
        } else {
            for (auto r : registers) raw.push_back(r);
        }
        std::cout << out.dump() << "\n";
    } else {
        std::cout << "wrote " << written << (modbus::is_bit_kind(*kind) ? " coil" : " register")
                  << (written == 1 ? "" : "s") << " at " << a.address << " (FC" << function << ")\n";
    }
    return exit_ok;
}

}  // namespace regpoll::app
