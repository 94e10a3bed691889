#pragma once
// The server's commands to a datalogger and the datalogger's answers: datalogger settings
// (0x19 read, 0x18 write; values are ASCII) and the inverter's holding registers through the
// stick (0x05 read, 0x06 single write, 0x10 multiple write). Every body starts with the
// logger serial in a field of serial_field_size(protocol) bytes, NUL-padded.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
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

// A 0x05 answer: the registers read; no values means the stick could not read them.
struct RegisterReadAnswer {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    std::vector<std::uint16_t> values;
};
std::optional<RegisterReadAnswer> parse_register_read_answer(const Frame& answer);

// A 0x06 or 0x10 answer: the register(s) named and the result byte (0x00 taken). 0x06
// answers also carry the value the register holds now.
struct RegisterWriteAnswer {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    std::uint8_t result = 0xFF;
    std::optional<std::uint16_t> value;
};
std::optional<RegisterWriteAnswer> parse_register_write_answer(const Frame& answer);

// --- the command channel ----------------------------------------------------------------

bool is_command_type(std::uint8_t type);  // 0x05, 0x06, 0x10, 0x18, 0x19

// What a command, or an answer to it, names: its type and the first number after the
// serial (the setting, the register or the first register). An answer belongs to the
// command in flight when both match.
struct CommandSubject {
    std::uint8_t type = 0;
    std::uint16_t first = 0;
    friend bool operator==(const CommandSubject&, const CommandSubject&) = default;
};
std::optional<CommandSubject> command_subject(const Frame& frame);

// --- the stick's side: a command as it arrives, and the answers to it ---------------------

struct StickCommand {
    std::uint8_t type = 0;
    std::uint16_t first = 0;             // setting, register or first register
    std::uint16_t last = 0;              // 0x19, 0x05, 0x10: the last one; else = first
    std::vector<std::uint16_t> values;   // 0x06: one; 0x10: last - first + 1
    std::string text;                    // 0x18: the setting's new value
};
// The error says what is wrong with the body (for the simulator's log).
Expected<StickCommand, std::string> parse_command(const Frame& command);

// Answers go back with the command's transaction, protocol, unit and the stick's serial.
CommandTarget answer_target(const Frame& command, const std::string& datalogger);
std::vector<std::uint8_t> build_config_answer(const CommandTarget& to, std::uint16_t item,
                                              const std::string& value);
std::vector<std::uint8_t> build_config_write_answer(const CommandTarget& to, std::uint16_t item,
                                                    std::uint8_t status);
// Without values: the registers could not be read.
std::vector<std::uint8_t> build_register_read_answer(const CommandTarget& to, std::uint16_t first,
                                                     std::uint16_t last,
                                                     const std::vector<std::uint16_t>& values);
std::vector<std::uint8_t> build_register_write_answer(const CommandTarget& to,
                                                      std::uint16_t address, std::uint8_t result,
                                                      std::uint16_t value);
std::vector<std::uint8_t> build_registers_write_answer(const CommandTarget& to,
                                                       std::uint16_t first, std::uint16_t last,
                                                       std::uint8_t result);

}  // namespace regpoll::shine
