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

std::vector<std::uint8_t> range_command(const CommandTarget& to, std::uint8_t type,
                                        std::uint16_t first, std::uint16_t last) {
    auto body = body_for(to);
    put_u16(body, first);
    put_u16(body, last);
    return frame_for(to, type, body);
}

}  // namespace

std::vector<std::uint8_t> build_config_read(const CommandTarget& to, std::uint16_t first,
                                            std::uint16_t last) {
    return range_command(to, 0x19, first, last);
}

std::vector<std::uint8_t> build_config_write(const CommandTarget& to, std::uint16_t item,
                                             const std::string& value) {
    auto body = body_for(to);
    put_u16(body, item);
    put_u16(body, static_cast<std::uint16_t>(value.size()));
    body.insert(body.end(), value.begin(), value.end());
    return frame_for(to, 0x18, body);
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
    auto body = body_for(to);
    put_u16(body, first);
    put_u16(body, static_cast<std::uint16_t>(first + values.size() - 1));
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

}  // namespace regpoll::shine
