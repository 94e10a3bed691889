#include "shine/commands.hpp"

namespace regpoll::shine {
namespace {

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFFU));
}

// Every command body starts with the logger serial, NUL-padded to the protocol's field.
std::vector<std::uint8_t> body_for(const CommandTarget& to) {
    std::vector<std::uint8_t> out(to.datalogger.begin(), to.datalogger.end());
    out.resize(serial_field_size(to.protocol), 0);
    return out;
}

std::vector<std::uint8_t> frame_for(const CommandTarget& to, std::uint8_t type,
                                    const std::vector<std::uint8_t>& body) {
    return encode_frame(to.transaction, to.protocol, to.unit, type, body);
}

// Serial, first, last: the start of range commands and of their answers.
std::vector<std::uint8_t> range_body(const CommandTarget& to, std::uint16_t first,
                                     std::uint16_t last) {
    auto body = body_for(to);
    put_u16(body, first);
    put_u16(body, last);
    return body;
}

std::vector<std::uint8_t> range_command(const CommandTarget& to, std::uint8_t type,
                                        std::uint16_t first, std::uint16_t last) {
    return frame_for(to, type, range_body(to, first, last));
}

// A setting with its value (0x18 command, 0x19 answer): item, length, ASCII.
std::vector<std::uint8_t> config_frame(const CommandTarget& to, std::uint8_t type,
                                       std::uint16_t item, const std::string& value) {
    auto body = body_for(to);
    put_u16(body, item);
    put_u16(body, static_cast<std::uint16_t>(value.size()));
    body.insert(body.end(), value.begin(), value.end());
    return frame_for(to, type, body);
}

}  // namespace

std::vector<std::uint8_t> build_config_read(const CommandTarget& to, std::uint16_t first,
                                            std::uint16_t last) {
    return range_command(to, 0x19, first, last);
}

std::vector<std::uint8_t> build_config_write(const CommandTarget& to, std::uint16_t item,
                                             const std::string& value) {
    return config_frame(to, 0x18, item, value);
}

std::vector<std::uint8_t> build_register_read(const CommandTarget& to, std::uint16_t first,
                                              std::uint16_t last) {
    return range_command(to, 0x05, first, last);
}

std::vector<std::uint8_t> build_register_write(const CommandTarget& to, std::uint16_t address,
                                               std::uint16_t value) {
    auto body = body_for(to);
    put_u16(body, address);
    put_u16(body, value);
    return frame_for(to, 0x06, body);
}

std::vector<std::uint8_t> build_registers_write(const CommandTarget& to, std::uint16_t first,
                                                const std::vector<std::uint16_t>& values) {
    auto body = range_body(to, first, static_cast<std::uint16_t>(first + values.size() - 1));
    for (auto v : values) put_u16(body, v);
    return frame_for(to, 0x10, body);
}

std::optional<ConfigValue> parse_config_answer(const Frame& answer) {
    const std::size_t at = serial_field_size(answer.protocol);
    const auto& b = answer.body;
    if (answer.type != 0x19 || b.size() < at + 4) return std::nullopt;
    const std::size_t length = be16(b, at + 2);
    if (b.size() < at + 4 + length) return std::nullopt;
    ConfigValue out;
    out.item = be16(b, at);
    out.value.assign(b.begin() + static_cast<long>(at + 4),
                     b.begin() + static_cast<long>(at + 4 + length));
    return out;
}

std::optional<ConfigWriteResult> parse_config_write_answer(const Frame& answer) {
    const std::size_t at = serial_field_size(answer.protocol);
    const auto& b = answer.body;
    if (answer.type != 0x18 || b.size() < at + 3) return std::nullopt;
    return ConfigWriteResult{be16(b, at), b[at + 2]};
}

std::optional<RegisterReadAnswer> parse_register_read_answer(const Frame& answer) {
    const std::size_t at = serial_field_size(answer.protocol);
    const auto& b = answer.body;
    if (answer.type != 0x05 || b.size() < at + 4) return std::nullopt;
    RegisterReadAnswer out{be16(b, at), be16(b, at + 2), {}};
    if (out.last < out.first) return std::nullopt;
    const std::size_t count = static_cast<std::size_t>(out.last - out.first) + 1;
    if (b.size() == at + 4) return out;  // no values: the stick could not read them
    if (b.size() < at + 4 + 2 * count) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i) out.values.push_back(be16(b, at + 4 + 2 * i));
    return out;
}

std::optional<RegisterWriteAnswer> parse_register_write_answer(const Frame& answer) {
    const std::size_t at = serial_field_size(answer.protocol);
    const auto& b = answer.body;
    if (answer.type == 0x06 && b.size() >= at + 5) {
        return RegisterWriteAnswer{be16(b, at), be16(b, at), b[at + 2], be16(b, at + 3)};
    }
    if (answer.type == 0x10 && b.size() >= at + 5) {
        return RegisterWriteAnswer{be16(b, at), be16(b, at + 2), b[at + 4], std::nullopt};
    }
    return std::nullopt;
}

bool is_command_type(std::uint8_t type) {
    return type == 0x05 || type == 0x06 || type == 0x10 || type == 0x18 || type == 0x19;
}

std::optional<CommandSubject> command_subject(const Frame& frame) {
    const std::size_t at = serial_field_size(frame.protocol);
    if (!is_command_type(frame.type) || frame.body.size() < at + 2) return std::nullopt;
    return CommandSubject{frame.type, be16(frame.body, at)};
}

Expected<StickCommand, std::string> parse_command(const Frame& command) {
    const std::size_t at = serial_field_size(command.protocol);
    const auto& b = command.body;
    const auto too_short = [&](std::size_t need) {
        return Unexpected{"command type " + std::to_string(command.type) + ": body of " +
                          std::to_string(b.size()) + " bytes, expected at least " +
                          std::to_string(need)};
    };
    if (!is_command_type(command.type))
        return Unexpected{"record type " + std::to_string(command.type) + " is not a command"};
    if (b.size() < at + 4) return too_short(at + 4);
    StickCommand out;
    out.type = command.type;
    out.first = be16(b, at);
    out.last = be16(b, at + 2);
    switch (command.type) {
        case 0x18: {
            const std::size_t length = out.last;
            if (b.size() < at + 4 + length) return too_short(at + 4 + length);
            out.text.assign(b.begin() + static_cast<long>(at + 4),
                            b.begin() + static_cast<long>(at + 4 + length));
            out.last = out.first;
            return out;
        }
        case 0x06:
            out.values = {out.last};
            out.last = out.first;
            return out;
        case 0x10: {
            if (out.last < out.first) return Unexpected{std::string("0x10: the last register is before the first")};
            const std::size_t count = static_cast<std::size_t>(out.last - out.first) + 1;
            if (b.size() < at + 4 + 2 * count) return too_short(at + 4 + 2 * count);
            for (std::size_t i = 0; i < count; ++i) out.values.push_back(be16(b, at + 4 + 2 * i));
            return out;
        }
        default:  // 0x05, 0x19: a range
            if (out.last < out.first) return Unexpected{std::string("the last item or register is before the first")};
            return out;
    }
}

CommandTarget answer_target(const Frame& command, const std::string& datalogger) {
    return CommandTarget{command.transaction, command.protocol, command.unit, datalogger};
}

std::vector<std::uint8_t> build_config_answer(const CommandTarget& to, std::uint16_t item,
                                              const std::string& value) {
    return config_frame(to, 0x19, item, value);
}

std::vector<std::uint8_t> build_config_write_answer(const CommandTarget& to, std::uint16_t item,
                                                    std::uint8_t status) {
    auto body = body_for(to);
    put_u16(body, item);
    body.push_back(status);
    return frame_for(to, 0x18, body);
}

std::vector<std::uint8_t> build_register_read_answer(const CommandTarget& to, std::uint16_t first,
                                                     std::uint16_t last,
                                                     const std::vector<std::uint16_t>& values) {
    auto body = range_body(to, first, last);
    for (auto v : values) put_u16(body, v);
    return frame_for(to, 0x05, body);
}

std::vector<std::uint8_t> build_register_write_answer(const CommandTarget& to,
                                                      std::uint16_t address, std::uint8_t result,
                                                      std::uint16_t value) {
    auto body = body_for(to);
    put_u16(body, address);
    body.push_back(result);
    put_u16(body, value);
    return frame_for(to, 0x06, body);
}

std::vector<std::uint8_t> build_registers_write_answer(const CommandTarget& to,
                                                       std::uint16_t first, std::uint16_t last,
                                                       std::uint8_t result) {
    auto body = range_body(to, first, last);
    body.push_back(result);
    return frame_for(to, 0x10, body);
}

}  // namespace regpoll::shine
