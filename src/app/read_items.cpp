#include "app/read_items.hpp"

#include <algorithm>

namespace regpoll::app {

std::optional<ReadResult> read_items(Session& session, modbus::RegisterKind kind, std::uint32_t address,
                                     std::size_t quantity, std::size_t per_value) {
    ReadResult out;
    const std::size_t chunk = (modbus::max_read_quantity(kind) / per_value) * per_value;
    for (std::size_t done = 0; done < quantity;) {
        const std::size_t n = std::min(chunk, quantity - done);
        auto request = modbus::make_read_request(modbus::read_function(kind),
                                                 static_cast<std::uint16_t>(address + done),
                                                 static_cast<std::uint16_t>(n));
        if (!request) {
            print_error("invalid read request: " + request.error().message());
            return std::nullopt;
        }
        auto response = session.transact(*request);
        if (!response) {
            print_error(session.describe(response.error()));
            return std::nullopt;
        }
        if (modbus::is_bit_kind(kind)) {
            auto bits = modbus::parse_bits(*request, *response);
            if (!bits) {
                print_error(session.describe(bits.error()));
                return std::nullopt;
            }
            out.bits.insert(out.bits.end(), bits->begin(), bits->end());
        } else {
            auto regs = modbus::parse_registers(*request, *response);
            if (!regs) {
                print_error(session.describe(regs.error()));
                return std::nullopt;
            }
            out.registers.insert(out.registers.end(), regs->begin(), regs->end());
        }
        done += n;
    }
    return out;
}

}  // namespace regpoll::app
