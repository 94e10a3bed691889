#pragma once
// The data a server exposes, per unit id: coils, discrete inputs, holding and input
// registers, and the unit's identification. Only mapped addresses exist; a request that
// touches any other address gets ILLEGAL DATA ADDRESS and changes nothing.
//
// Two layouts (the names MBAsyncServer uses):
//  - separate: four independent tables.
//  - overlaid: one register table. Holding and input registers are the same registers,
//    and coil / discrete input N is bit N % 16 (0 = least significant) of register N / 16,
//    so coils 0..65535 live in registers 0..4095 and writing one changes the other.
//
// Not thread-safe: a server reads and writes the tables from its io_context's thread;
// the simulator updates them from the same thread.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

#include "common/expected.hpp"
#include "modbus/register_kind.hpp"
#include "server/device_identity.hpp"
#include "server/sparse_table.hpp"

namespace regpoll::server {

using modbus::RegisterKind;

enum class TableLayout { separate, overlaid };

class UnitTables {
  public:
    explicit UnitTables(TableLayout layout = TableLayout::separate);

    TableLayout layout() const { return layout_; }

    // Makes [address, address + count) of `kind` exist (cut at 65535), zero where new,
    // keeping values already there. Overlaid: a bit range maps the registers holding it.
    void map(RegisterKind kind, std::uint32_t address, std::uint32_t count);
    // Maps all 65536 addresses of every table.
    void map_all();
    bool is_mapped(RegisterKind kind, std::uint32_t address, std::uint32_t count) const;
    // Mapped ranges of a table (overlaid: bit kinds report bit addresses).
    std::vector<AddressRange> mapped(RegisterKind kind) const;

    // --- owner side (simulator, test setup): places values, mapping what they cover ----
    void set_registers(RegisterKind kind, std::uint16_t address,
                       std::span<const std::uint16_t> values);
    void set_bits(RegisterKind kind, std::uint16_t address, const std::vector<bool>& values);

    // --- client side: every address must be mapped, else illegal_data_address and no
    // change. A register kind for the bit calls (or the reverse) is invalid_request.
    std::error_code read_registers(RegisterKind kind, std::uint16_t address,
                                   std::span<std::uint16_t> out) const;
    std::error_code write_registers(RegisterKind kind, std::uint16_t address,
                                    std::span<const std::uint16_t> values);
    std::error_code read_bits(RegisterKind kind, std::uint16_t address,
                              std::vector<bool>& out) const;  // out.size() bits
    std::error_code write_bits(RegisterKind kind, std::uint16_t address,
                               const std::vector<bool>& values);

    // Read-back conveniences over read_registers / read_bits.
    Expected<std::vector<std::uint16_t>> registers(RegisterKind kind, std::uint16_t address,
                                                   std::uint16_t count) const;
    Expected<std::vector<bool>> bits(RegisterKind kind, std::uint16_t address,
                                     std::uint16_t count) const;

    DeviceIdentity& identity() { return identity_; }
    const DeviceIdentity& identity() const { return identity_; }

  private:
    const SparseTable<std::uint16_t>& registers_of(RegisterKind kind) const;
    SparseTable<std::uint16_t>& registers_of(RegisterKind kind);
    const SparseTable<std::uint8_t>& bits_of(RegisterKind kind) const;
    SparseTable<std::uint8_t>& bits_of(RegisterKind kind);
    void overlaid_set_bit(std::uint32_t bit_address, bool value);

    TableLayout layout_;
    // separate: [0] holding, [1] input; overlaid: [0] is the one table.
    std::array<SparseTable<std::uint16_t>, 2> registers_;
    // separate: [0] coils, [1] discrete inputs (one byte, 0 or 1, per bit).
    std::array<SparseTable<std::uint8_t>, 2> bits_;
    DeviceIdentity identity_;
};

// The units one server (or several servers sharing data) answers for.
class DataTables {
  public:
    // Adds unit `unit` (0..255) with empty tables and a default identity (vendor
    // "regpoll", product code "SIM", revision "1.0"; FC17 data: unit id, 0xFF, "regpoll").
    // An existing unit is replaced.
    UnitTables& add_unit(std::uint8_t unit, TableLayout layout = TableLayout::separate);
    UnitTables* unit(std::uint8_t unit) { return units_[unit].get(); }
    const UnitTables* unit(std::uint8_t unit) const { return units_[unit].get(); }
    bool serves(std::uint8_t unit) const { return units_[unit] != nullptr; }
    // Served unit ids, ascending.
    std::vector<std::uint8_t> unit_ids() const;

  private:
    std::array<std::unique_ptr<UnitTables>, 256> units_;
};

}  // namespace regpoll::server
