// regpoll probe: read a few registers once and show every way they can be read, side by
// side, so the type and order of an undocumented value can be recognised.
#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/probe_command.hpp"
#include "app/probe_readings.hpp"
#include "app/read_items.hpp"
#include "app/session.hpp"
#include "codec/value_codec.hpp"
#include "poll/value_json.hpp"

namespace regpoll::app {
namespace {

std::string cell(const ProbeReading& r) {
    std::string text = codec::is_available(r.value) ? codec::format_value(r.value) : "-";
    if (!r.hint.empty()) text += " (" + r.hint + ")";
    return text;
}

std::string hex_word(std::uint16_t w) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04X", static_cast<unsigned>(w));
    return buf;
}

// One table for the readings of `registers` registers: a row per start address and type,
// a column per order.
void print_table(std::ostream& os, const std::vector<ProbeReading>& readings, std::size_t registers,
                 std::initializer_list<codec::Type> types, int column) {
    std::vector<std::string> orders;
    for (const auto& r : readings) {
        if (codec::register_count(r.type, 0) == registers &&
            std::find(orders.begin(), orders.end(), r.order) == orders.end())
            orders.push_back(r.order);
    }
    if (orders.empty()) return;
    os << "\n" << std::left << std::setw(17) << (std::to_string(registers * 16) + "-bit");
    for (const auto& o : orders) os << std::setw(column) << o;
    os << "\n";
    std::uint32_t last_address = UINT32_MAX;
    for (std::size_t i = 0; i < readings.size();) {
        const auto& first = readings[i];
        if (codec::register_count(first.type, 0) != registers ||
            std::find(types.begin(), types.end(), first.type) == types.end()) {
            ++i;
            continue;
        }
        const std::string address = first.address == last_address ? "" : std::to_string(first.address);
        last_address = first.address;
        os << std::setw(8) << address << std::setw(9) << codec::type_name(first.type);
        std::size_t j = i;
        for (; j < readings.size() && readings[j].address == first.address && readings[j].type == first.type; ++j) {
            os << std::setw(column) << cell(readings[j]);
        }
        os << "\n";
        i = j;
    }
}

void print_text(const ProbeArgs& a, modbus::RegisterKind kind, const std::vector<std::uint16_t>& regs,
                const std::vector<ProbeReading>& readings) {
    // Columns as wide as the widest reading, so every value stands under its order.
    std::size_t widest = 10;
    for (const auto& r : readings) widest = std::max(widest, cell(r).size());
    const int column = static_cast<int>(widest) + 2;
    std::ostringstream os;
    os << "unit " << a.link.unit << ", " << modbus::register_kind_name(kind) << " registers " << a.address << "-"
       << a.address + static_cast<int>(regs.size()) - 1 << "\n\n";
    os << std::left << std::setw(8) << "address" << std::setw(9) << "raw" << std::setw(column) << "uint16"
       << std::setw(column) << "int16" << "bcd\n";
    for (std::size_t i = 0; i < regs.size(); ++i) {
        os << std::setw(8) << a.address + static_cast<int>(i) << std::setw(9) << hex_word(regs[i]);
        for (const auto& r : readings) {
            if (r.address != static_cast<std::uint32_t>(a.address) + i || codec::register_count(r.type, 0) != 1) continue;
            os << std::setw(r.type == codec::Type::bcd ? 0 : column) << cell(r);
        }
        os << "\n";
    }
    using codec::Type;
    print_table(os, readings, 2, {Type::uint32, Type::int32, Type::float32, Type::bcd32}, column);
    print_table(os, readings, 4, {Type::uint64, Type::int64, Type::float64}, column);
    os << "\ntext    \"" << probe_text(regs) << "\"\n";
    std::cout << os.str();
}

void print_json(const ProbeArgs& a, modbus::RegisterKind kind, const std::vector<std::uint16_t>& regs,
                const std::vector<ProbeReading>& readings) {
    nlohmann::ordered_json out;
    out["unit"] = a.link.unit;
    out["register"] = modbus::register_kind_name(kind);
    out["address"] = a.address;
    out["raw"] = regs;
    auto& list = out["readings"] = nlohmann::ordered_json::array();
    for (const auto& r : readings) {
        nlohmann::ordered_json j;
        j["address"] = r.address;
        j["type"] = codec::type_name(r.type);
        if (!r.order.empty()) j["order"] = r.order;
        j["value"] = poll::value_to_json(r.value);
        if (!r.hint.empty()) j["hint"] = r.hint;
        list.push_back(std::move(j));
    }
    out["text"] = probe_text(regs);
    std::cout << out.dump() << "\n";
}

}  // namespace

int run_probe(const ProbeArgs& a) {
    auto kind = register_kind_arg(a.register_kind);
    if (!kind) return exit_usage;
    if (modbus::is_bit_kind(*kind)) {
        print_error("--register " + a.register_kind + ": probe reads registers (holding or input), not bits");
        return exit_usage;
    }
    if (a.address < 0 || a.address > 65535) {
        print_error("--address " + std::to_string(a.address) + " is out of range (0-65535)");
        return exit_usage;
    }
    if (a.count < 1 || a.count > static_cast<int>(modbus::max_read_registers)) {
        print_error("--count " + std::to_string(a.count) + " is out of range (1-" +
                    std::to_string(modbus::max_read_registers) + " registers)");
        return exit_usage;
    }
    if (a.address + a.count > 65536) {
        print_error("--address " + std::to_string(a.address) + " + --count " + std::to_string(a.count) +
                    " runs past address 65535");
        return exit_usage;
    }
    auto session = Session::open(a.link);
    if (!session) return exit_usage;
    auto result = read_items(*session, *kind, static_cast<std::uint32_t>(a.address),
                             static_cast<std::size_t>(a.count), 1);
    if (!result) return exit_failure;
    const auto readings = probe_readings(result->registers, static_cast<std::uint32_t>(a.address));
    if (a.json) {
        print_json(a, *kind, result->registers, readings);
    } else {
        print_text(a, *kind, result->registers, readings);
    }
    return exit_ok;
}

}  // namespace regpoll::app
