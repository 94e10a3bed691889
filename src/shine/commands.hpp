#pragma once
// The server's commands to a datalogger and the datalogger's answers: datalogger settings
// (0x19 read, 0x18 write; values are ASCII) and the inverter's holding registers through the
// stick (0x05 read, 0x06 single write, 0x10 multiple write). Every body starts with the
// logger serial in a field of serial_field_size(protocol) bytes, NUL-padded.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shine/frame.hpp"

namespace regpoll::shine {

// Settings ("config items") the server uses.
inline constexpr std::uint16_t item_upload_interval = 4;  // minutes, ASCII ("5")
inline constexpr std::uint16_t item_clock = 31;           // "YYYY-MM-DD HH:MM:SS"

// Where a command goes: the logger's protocol, its serial, and the unit byte (0x01 for the
// logger itself and ShineWiFi/ShineLAN inverters; the inverter's own from its announce on
// ShineLink).
struct CommandTarget {
    std::uint16_t transaction = 1;
    std::uint16_t protocol = 6;
    std::uint8_t unit = 1;
    std::string datalogger;
};

std::vector<std::uint8_t> build_config_read(const CommandTarget& to, std::uint16_t first,
                                            std::uint16_t last);
std::vector<std::uint8_t> build_config_write(const CommandTarget& to, std::uint16_t item,
                                             const std::string& value);
std::vector<std::uint8_t> build_register_read(const CommandTarget& to, std::uint16_t first,
                                              std::uint16_t last);
std::vector<std::uint8_t> build_register_write(const CommandTarget& to, std::uint16_t address,
                                               std::uint16_t value);
std::vector<std::uint8_t> build_registers_write(const CommandTarget& to, std::uint16_t first,
                                                const std::vector<std::uint16_t>& values);

// A 0x19 answer: one setting's value.
struct ConfigValue {
    std::uint16_t item = 0;
    std::string value;
};
std::optional<ConfigValue> parse_config_answer(const Frame& answer);

// A 0x18 answer: 0x00 = taken, 0x03 = refused.
struct ConfigWriteResult {
    std::uint16_t item = 0;
    std::uint8_t status = 0xFF;
};
std::optional<ConfigWriteResult> parse_config_write_answer(const Frame& answer);

}  // namespace regpoll::shine
