#pragma once
// The newest raw values the poller holds for one device, register by register (coils and
// discrete inputs as 0/1), each with the time its response arrived. The gateway answers
// Modbus clients from here. Kept per register rather than per block: polls and on-demand
// reads cover overlapping ranges, and a request is fresh only if every register in it is.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "modbus/pdu.hpp"
#include "modbus/register_kind.hpp"

namespace regpoll::poll {

class HeldRegisters {
  public:
    using Clock = std::chrono::steady_clock;

    // Remembers values[i] for address + i, received `at`.
    void store(modbus::RegisterKind kind, std::uint16_t address,
               std::span<const std::uint16_t> values, Clock::time_point at);
    void store_bits(modbus::RegisterKind kind, std::uint16_t address, const std::vector<bool>& bits,
                    Clock::time_point at);
    // Drops [address, address + count): a write changed them and the device has the say.
    void forget(modbus::RegisterKind kind, std::uint16_t address, std::size_t count);

    // Fills `out` with [address, address + out.size()) when every one of them was received at
    // or after `since`; false (and `out` unspecified) otherwise.
    bool read(modbus::RegisterKind kind, std::uint16_t address, std::span<std::uint16_t> out,
              Clock::time_point since) const;

    // Learns from a checked exchange with the device: a read's answer is stored, a write's
    // range is forgotten (FC23 does both). `request` and `response` must have passed
    // modbus::check_response.
    void absorb(std::span<const std::uint8_t> request, std::span<const std::uint8_t> response,
                Clock::time_point at);

    std::size_t size() const;

  private:
    struct Entry {
        std::uint16_t value = 0;
        Clock::time_point at{};
    };
    std::map<std::uint16_t, Entry>& table(modbus::RegisterKind kind) {
        return tables_[static_cast<int>(kind)];
    }
    const std::map<std::uint16_t, Entry>& table(modbus::RegisterKind kind) const {
        return tables_[static_cast<int>(kind)];
    }

    std::map<std::uint16_t, Entry> tables_[4];
};

// The range a write request changes: FC5/15 coils, FC6/16/22/23 holding registers.
struct WrittenRange {
    modbus::RegisterKind kind = modbus::RegisterKind::holding;
    std::uint16_t address = 0;
    std::uint16_t count = 0;
};
// nullopt for requests that write nothing or are too short to say.
std::optional<WrittenRange> written_range(std::span<const std::uint8_t> request);

}  // namespace regpoll::poll
