#include "server/data_tables.hpp"

#include <algorithm>

#include "modbus/error.hpp"

namespace regpoll::server {
namespace {

using modbus::Errc;

std::size_t register_index(RegisterKind kind) {
    return kind == RegisterKind::holding ? 0 : 1;
}
std::size_t bit_index(RegisterKind kind) {
    return kind == RegisterKind::coil ? 0 : 1;
}

// The registers holding bits [address, address + count) in the overlaid layout.
AddressRange registers_for_bits(std::uint32_t address, std::uint32_t count) {
    const std::uint32_t first = address / 16;
    const std::uint32_t last = (address + count - 1) / 16;
    return {first, last - first + 1};
}

bool in_address_space(std::uint32_t address, std::size_t count) {
    return count >= 1 && address + count <= address_space;
}

}  // namespace

UnitTables::UnitTables(TableLayout layout) : layout_(layout) {}

const SparseTable<std::uint16_t>& UnitTables::registers_of(RegisterKind kind) const {
    return layout_ == TableLayout::overlaid ? registers_[0] : registers_[register_index(kind)];
}
SparseTable<std::uint16_t>& UnitTables::registers_of(RegisterKind kind) {
    return layout_ == TableLayout::overlaid ? registers_[0] : registers_[register_index(kind)];
}
const SparseTable<std::uint8_t>& UnitTables::bits_of(RegisterKind kind) const {
    return bits_[bit_index(kind)];
}
SparseTable<std::uint8_t>& UnitTables::bits_of(RegisterKind kind) {
    return bits_[bit_index(kind)];
}

void UnitTables::map(RegisterKind kind, std::uint32_t address, std::uint32_t count) {
    if (address >= address_space || count == 0) return;
    count = std::min(count, address_space - address);
    if (!is_bit_kind(kind)) {
        registers_of(kind).map(address, count);
    } else if (layout_ == TableLayout::overlaid) {
        const AddressRange regs = registers_for_bits(address, count);
        registers_[0].map(regs.start, regs.count);
    } else {
        bits_of(kind).map(address, count);
    }
}

void UnitTables::map_all() {
    for (RegisterKind kind :
         {RegisterKind::coil, RegisterKind::discrete, RegisterKind::holding, RegisterKind::input}) {
        map(kind, 0, address_space);
    }
}

bool UnitTables::is_mapped(RegisterKind kind, std::uint32_t address, std::uint32_t count) const {
    if (!in_address_space(address, count)) return false;
    if (!is_bit_kind(kind)) return registers_of(kind).find(address, count) != nullptr;
    if (layout_ == TableLayout::overlaid) {
        const AddressRange regs = registers_for_bits(address, count);
        return registers_[0].find(regs.start, regs.count) != nullptr;
    }
    return bits_of(kind).find(address, count) != nullptr;
}

std::vector<AddressRange> UnitTables::mapped(RegisterKind kind) const {
    if (!is_bit_kind(kind)) return registers_of(kind).ranges();
    if (layout_ == TableLayout::separate) return bits_of(kind).ranges();
    std::vector<AddressRange> out;
    for (const AddressRange& r : registers_[0].ranges()) {
        if (r.start * 16 >= address_space) break;
        const std::uint32_t end = std::min(address_space, r.end() * 16);
        out.push_back({r.start * 16, end - r.start * 16});
    }
    return out;
}

void UnitTables::set_registers(RegisterKind kind, std::uint16_t address,
                               std::span<const std::uint16_t> values) {
    if (is_bit_kind(kind) || values.empty()) return;
    const auto count =
        static_cast<std::uint32_t>(std::min<std::size_t>(values.size(), address_space - address));
    map(kind, address, count);
    std::copy_n(values.begin(), count, registers_of(kind).find(address, count));
}

void UnitTables::set_bits(RegisterKind kind, std::uint16_t address,
                          const std::vector<bool>& values) {
    if (!is_bit_kind(kind) || values.empty()) return;
    const auto count =
        static_cast<std::uint32_t>(std::min<std::size_t>(values.size(), address_space - address));
    map(kind, address, count);
    (void)write_bits(kind, address, std::vector<bool>(values.begin(), values.begin() + count));
}

std::error_code UnitTables::read_registers(RegisterKind kind, std::uint16_t address,
                                           std::span<std::uint16_t> out) const {
    if (is_bit_kind(kind)) return modbus::make_error_code(Errc::invalid_request);
    if (!in_address_space(address, out.size())) {
        return modbus::make_error_code(Errc::illegal_data_address);
    }
    const std::uint16_t* data =
        registers_of(kind).find(address, static_cast<std::uint32_t>(out.size()));
    if (data == nullptr) return modbus::make_error_code(Errc::illegal_data_address);
    std::copy_n(data, out.size(), out.begin());
    return {};
}

std::error_code UnitTables::write_registers(RegisterKind kind, std::uint16_t address,
                                            std::span<const std::uint16_t> values) {
    if (is_bit_kind(kind)) return modbus::make_error_code(Errc::invalid_request);
    if (!in_address_space(address, values.size())) {
        return modbus::make_error_code(Errc::illegal_data_address);
    }
    std::uint16_t* data =
        registers_of(kind).find(address, static_cast<std::uint32_t>(values.size()));
    if (data == nullptr) return modbus::make_error_code(Errc::illegal_data_address);
    std::copy(values.begin(), values.end(), data);
    return {};
}

std::error_code UnitTables::read_bits(RegisterKind kind, std::uint16_t address,
                                      std::vector<bool>& out) const {
    if (!is_bit_kind(kind)) return modbus::make_error_code(Errc::invalid_request);
    const auto count = static_cast<std::uint32_t>(out.size());
    if (!is_mapped(kind, address, count)) {
        return modbus::make_error_code(Errc::illegal_data_address);
    }
    if (layout_ == TableLayout::separate) {
        const std::uint8_t* data = bits_of(kind).find(address, count);
        for (std::uint32_t i = 0; i < count; ++i) out[i] = data[i] != 0;
        return {};
    }
    const AddressRange regs = registers_for_bits(address, count);
    const std::uint16_t* words = registers_[0].find(regs.start, regs.count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t bit = address + i;
        out[i] = ((words[bit / 16 - regs.start] >> (bit % 16)) & 1U) != 0;
    }
    return {};
}

std::error_code UnitTables::write_bits(RegisterKind kind, std::uint16_t address,
                                       const std::vector<bool>& values) {
    if (!is_bit_kind(kind)) return modbus::make_error_code(Errc::invalid_request);
    const auto count = static_cast<std::uint32_t>(values.size());
    if (!is_mapped(kind, address, count)) {
        return modbus::make_error_code(Errc::illegal_data_address);
    }
    if (layout_ == TableLayout::separate) {
        std::uint8_t* data = bits_of(kind).find(address, count);
        for (std::uint32_t i = 0; i < count; ++i) data[i] = values[i] ? 1 : 0;
        return {};
    }
    const AddressRange regs = registers_for_bits(address, count);
    std::uint16_t* words = registers_[0].find(regs.start, regs.count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t bit = address + i;
        std::uint16_t& word = words[bit / 16 - regs.start];
        const auto mask = static_cast<std::uint16_t>(1U << (bit % 16));
        word = static_cast<std::uint16_t>(values[i] ? (word | mask) : (word & ~mask));
    }
    return {};
}

Expected<std::vector<std::uint16_t>> UnitTables::registers(RegisterKind kind, std::uint16_t address,
                                                           std::uint16_t count) const {
    std::vector<std::uint16_t> out(count);
    if (auto ec = read_registers(kind, address, out)) return Unexpected{ec};
    return out;
}

Expected<std::vector<bool>> UnitTables::bits(RegisterKind kind, std::uint16_t address,
                                             std::uint16_t count) const {
    std::vector<bool> out(count);
    if (auto ec = read_bits(kind, address, out)) return Unexpected{ec};
    return out;
}

UnitTables& DataTables::add_unit(std::uint8_t unit, TableLayout layout) {
    units_[unit] = std::make_unique<UnitTables>(layout);
    DeviceIdentity& id = units_[unit]->identity();
    id.set_object(ObjectId::vendor_name, "regpoll");
    id.set_object(ObjectId::product_code, "SIM");
    id.set_object(ObjectId::major_minor_revision, "1.0");
    std::vector<std::uint8_t> server_id{unit, 0xFF, 'r', 'e', 'g', 'p', 'o', 'l', 'l'};
    id.set_server_id(std::move(server_id));
    return *units_[unit];
}

std::vector<std::uint8_t> DataTables::unit_ids() const {
    std::vector<std::uint8_t> ids;
    for (std::size_t u = 0; u < units_.size(); ++u) {
        if (units_[u]) ids.push_back(static_cast<std::uint8_t>(u));
    }
    return ids;
}

}  // namespace regpoll::server
