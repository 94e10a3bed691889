#pragma once
// Reads a run of registers or bits for the one-shot commands (read, probe), in as few
// requests as one request's limit allows.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "app/session.hpp"
#include "modbus/register_kind.hpp"

namespace regpoll::app {

struct ReadResult {
    std::vector<std::uint16_t> registers;
    std::vector<bool> bits;
};

// Reads `quantity` items from `address`, never splitting one value of `per_value` items
// across two requests. nullopt after printing the error (link, exception, bad reply).
std::optional<ReadResult> read_items(Session& session, modbus::RegisterKind kind, std::uint32_t address,
                                     std::size_t quantity, std::size_t per_value);

}  // namespace regpoll::app
