#include "poll/held_registers.hpp"

#include <optional>

namespace regpoll::poll {

using modbus::Function;
using modbus::get_u16;
using modbus::RegisterKind;

void HeldRegisters::store(RegisterKind kind, std::uint16_t address,
                          std::span<const std::uint16_t> values, Clock::time_point at) {
    auto& t = table(kind);
    auto hint = t.lower_bound(address);
    for (std::size_t i = 0; i < values.size() && address + i <= 0xFFFF; ++i) {
        const auto a = static_cast<std::uint16_t>(address + i);
        // Sequential addresses: the hint makes each insert constant time.
        hint = t.insert_or_assign(hint, a, Entry{values[i], at});
        ++hint;
    }
}

void HeldRegisters::store_bits(RegisterKind kind, std::uint16_t address,
                               const std::vector<bool>& bits, Clock::time_point at) {
    std::vector<std::uint16_t> values(bits.begin(), bits.end());
    store(kind, address, values, at);
}

void HeldRegisters::forget(RegisterKind kind, std::uint16_t address, std::size_t count) {
    auto& t = table(kind);
    const std::uint32_t end = static_cast<std::uint32_t>(address) + count;
    auto first = t.lower_bound(address);
    auto last = end > 0xFFFF ? t.end() : t.lower_bound(static_cast<std::uint16_t>(end));
    t.erase(first, last);
}

bool HeldRegisters::read(RegisterKind kind, std::uint16_t address, std::span<std::uint16_t> out,
                         Clock::time_point since) const {
    const auto& t = table(kind);
    auto it = t.lower_bound(address);
    for (std::size_t i = 0; i < out.size(); ++i, ++it) {
        if (it == t.end() || it->first != address + i || it->second.at < since) return false;
        out[i] = it->second.value;
    }
    return true;
}

std::size_t HeldRegisters::size() const {
    std::size_t n = 0;
    for (const auto& t : tables_) n += t.size();
    return n;
}

void HeldRegisters::absorb(std::span<const std::uint8_t> request,
                           std::span<const std::uint8_t> response, Clock::time_point at) {
    if (request.empty()) return;
    if (auto w = written_range(request)) forget(w->kind, w->address, w->count);
    const auto fn = static_cast<Function>(request[0]);
    const bool registers = fn == Function::read_holding_registers ||
                           fn == Function::read_input_registers ||
                           fn == Function::read_write_multiple_registers;
    const bool bits = fn == Function::read_coils || fn == Function::read_discrete_inputs;
    if ((!registers && !bits) || request.size() < 5) return;
    const auto kind = fn == Function::read_coils             ? RegisterKind::coil
                      : fn == Function::read_discrete_inputs ? RegisterKind::discrete
                      : fn == Function::read_input_registers ? RegisterKind::input
                                                             : RegisterKind::holding;
    if (bits) {
        if (auto b = modbus::parse_bits(request, response))
            store_bits(kind, get_u16(request, 1), *b, at);
    } else if (auto r = modbus::parse_registers(request, response)) {
        store(kind, get_u16(request, 1), *r, at);
    }
}

std::optional<WrittenRange> written_range(std::span<const std::uint8_t> request) {
    if (request.size() < 5) return std::nullopt;
    const auto address = get_u16(request, 1);
    switch (static_cast<Function>(request[0])) {
        case Function::write_single_coil:
            return WrittenRange{RegisterKind::coil, address, 1};
        case Function::write_single_register:
        case Function::mask_write_register:
            return WrittenRange{RegisterKind::holding, address, 1};
        case Function::write_multiple_coils:
            return WrittenRange{RegisterKind::coil, address, get_u16(request, 3)};
        case Function::write_multiple_registers:
            return WrittenRange{RegisterKind::holding, address, get_u16(request, 3)};
        case Function::read_write_multiple_registers:
            if (request.size() < 9) return std::nullopt;
            return WrittenRange{RegisterKind::holding, get_u16(request, 5), get_u16(request, 7)};
        default:
            return std::nullopt;
    }
}

}  // namespace regpoll::poll
