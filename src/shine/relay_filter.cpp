#include "shine/relay_filter.hpp"

#include "shine/commands.hpp"
#include "shine/records.hpp"

namespace regpoll::shine {
namespace {

constexpr auto config_write = static_cast<std::uint8_t>(RecordType::config_write);
constexpr auto register_write = static_cast<std::uint8_t>(RecordType::register_write);
constexpr auto registers_write = static_cast<std::uint8_t>(RecordType::registers_write);

// Register writes carry the first register after the serial field (and, for 0x06, the value;
// for 0x10, the last register): named in the log so the user sees what the cloud wanted.
std::string register_write_text(const Frame& f) {
    const std::size_t at = serial_field_size(f.protocol);
    const auto& b = f.body;
    if (b.size() < at + 4) return std::string(record_type_name(f.type)) + " (short body)";
    const auto first = std::to_string(be16(b, at));
    const auto second = std::to_string(be16(b, at + 2));
    if (f.type == register_write) return "inverter register write " + first + " = " + second;
    return "inverter register write " + first + "-" + second;
}

}  // namespace

std::optional<std::uint16_t> config_write_item(const Frame& command) {
    const std::size_t at = serial_field_size(command.protocol);
    if (command.type != config_write || command.body.size() < at + 2) return std::nullopt;
    return be16(command.body, at);
}

RelayVerdict relay_verdict(const Frame& from_cloud, RelayCommands commands) {
    if (commands == RelayCommands::allow) return {};
    switch (from_cloud.type) {
        case config_write: {
            const auto item = config_write_item(from_cloud);
            if (item == item_clock) return {};
            // A body too short to name its item is dropped too: it is not the clock.
            return {false, item ? "datalogger setting write of item " + std::to_string(*item)
                                : std::string("datalogger setting write (short body)")};
        }
        case register_write:
        case registers_write:
            return {false, register_write_text(from_cloud)};
        default:
            return {};
    }
}

}  // namespace regpoll::shine
