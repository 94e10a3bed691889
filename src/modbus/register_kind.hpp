#pragma once
// The four Modbus data tables and the function codes that read and write them.
#include <optional>
#include <string_view>

#include "modbus/pdu.hpp"

namespace regpoll::modbus {

enum class RegisterKind { coil, discrete, holding, input };

constexpr bool is_bit_kind(RegisterKind k) {
    return k == RegisterKind::coil || k == RegisterKind::discrete;
}
constexpr bool is_writable_kind(RegisterKind k) {
    return k == RegisterKind::coil || k == RegisterKind::holding;
}
constexpr Function read_function(RegisterKind k) {
    switch (k) {
        case RegisterKind::coil: return Function::read_coils;
        case RegisterKind::discrete: return Function::read_discrete_inputs;
        case RegisterKind::holding: return Function::read_holding_registers;
        case RegisterKind::input: return Function::read_input_registers;
    }
    return Function::read_holding_registers;
}
// The most items one read of this table may return.
constexpr std::uint16_t max_read_quantity(RegisterKind k) {
    return is_bit_kind(k) ? max_read_bits : max_read_registers;
}

inline std::optional<RegisterKind> parse_register_kind(std::string_view name) {
    if (name == "coil" || name == "coils") return RegisterKind::coil;
    if (name == "discrete" || name == "discrete_input" || name == "discrete_inputs") {
        return RegisterKind::discrete;
    }
    if (name == "holding") return RegisterKind::holding;
    if (name == "input") return RegisterKind::input;
    return std::nullopt;
}

constexpr std::string_view register_kind_name(RegisterKind k) {
    switch (k) {
        case RegisterKind::coil: return "coil";
        case RegisterKind::discrete: return "discrete";
        case RegisterKind::holding: return "holding";
        case RegisterKind::input: return "input";
    }
    return "holding";
}

}  // namespace regpoll::modbus
