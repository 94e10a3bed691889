#pragma once
// A SunSpec register reader (FC3) over a one-shot command session.
#include "app/session.hpp"
#include "modbus/pdu.hpp"
#include "sunspec/chain_walker.hpp"

namespace regpoll::app {

inline sunspec::RegisterReader holding_reader(Session& session) {
    return [&session](std::uint16_t address,
                      std::uint16_t count) -> Expected<std::vector<std::uint16_t>> {
        auto request = modbus::make_read_request(
            modbus::read_function(modbus::RegisterKind::holding), address, count);
        if (!request) return Unexpected(request.error());
        auto response = session.transact(*request);
        if (!response) return Unexpected(response.error());
        return modbus::parse_registers(*request, *response);
    };
}

}  // namespace regpoll::app
