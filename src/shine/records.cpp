#include "shine/records.hpp"

#include <algorithm>
#include <cctype>

namespace regpoll::shine {
namespace {

constexpr std::size_t time_size = 6;
constexpr std::size_t block_header_size = 4;

std::string at_offset(std::size_t offset) {
    return " at body offset " + std::to_string(offset);
}

std::optional<RecordTime> time_from(std::span<const std::uint8_t> t) {
    if (std::all_of(t.begin(), t.end(), [](std::uint8_t b) { return b == 0; })) return {};
    return RecordTime{2000 + t[0], t[1], t[2], t[3], t[4], t[5]};
}

// Blocks back to back until the body ends: start (2), end (2), (end - start + 1) values.
Expected<std::vector<RegisterBlock>, std::string> blocks_from(std::span<const std::uint8_t> body,
                                                              std::size_t at) {
    std::vector<RegisterBlock> blocks;
    while (at < body.size()) {
        const std::string where = "block " + std::to_string(blocks.size() + 1) + at_offset(at);
        if (body.size() - at < block_header_size) {
            return Unexpected{where + ": " + std::to_string(body.size() - at) +
                              " bytes left, too few for a block header"};
        }
        const std::uint16_t first = be16(body, at);
        const std::uint16_t last = be16(body, at + 2);
        if (last < first) {
            return Unexpected{where + ": end register " + std::to_string(last) + " before start " +
                              std::to_string(first)};
        }
        const std::size_t count = static_cast<std::size_t>(last - first) + 1;
        at += block_header_size;
        if (body.size() - at < 2 * count) {
            return Unexpected{where + ": registers " + std::to_string(first) + "-" +
                              std::to_string(last) + " need " + std::to_string(2 * count) +
                              " bytes, " + std::to_string(body.size() - at) + " left"};
        }
        RegisterBlock block{first, {}};
        block.values.reserve(count);
        for (std::size_t i = 0; i < count; ++i) block.values.push_back(be16(body, at + 2 * i));
        at += 2 * count;
        blocks.push_back(std::move(block));
    }
    if (blocks.empty()) return Unexpected{std::string("no register block") + at_offset(at)};
    return blocks;
}

}  // namespace

std::string_view record_type_name(std::uint8_t type) {
    switch (static_cast<RecordType>(type)) {
        case RecordType::announce:
            return "announce";
        case RecordType::live_data:
            return "data";
        case RecordType::register_read:
            return "register read";
        case RecordType::register_write:
            return "register write";
        case RecordType::registers_write:
            return "multiple register write";
        case RecordType::ping:
            return "ping";
        case RecordType::config_write:
            return "datalogger setting write";
        case RecordType::config_read:
            return "datalogger setting read";
        case RecordType::meter_text:
            return "smart meter text";
        case RecordType::meter:
            return "smart meter";
        case RecordType::aes_key:
            return "AES key exchange";
        case RecordType::buffered_data:
            return "buffered data";
    }
    return "unknown";
}

Reply reply_to(std::uint8_t type) {
    switch (static_cast<RecordType>(type)) {
        case RecordType::announce:
        case RecordType::live_data:
        case RecordType::buffered_data:
        case RecordType::meter:
        case RecordType::meter_text:
            return Reply::ack;
        case RecordType::ping:
            return Reply::echo;
        default:
            return Reply::none;
    }
}

std::vector<std::uint8_t> build_ack(const Frame& record) {
    const std::uint8_t ok = 0x00;
    return encode_frame(record.transaction, record.protocol, record.unit, record.type,
                        std::span(&ok, 1));
}

std::string serial_from_field(std::span<const std::uint8_t> field) {
    const auto end = std::find(field.begin(), field.end(), std::uint8_t{0});
    return {field.begin(), end};
}

bool plausible_serial(std::string_view serial) {
    return !serial.empty() && serial.size() <= 30 &&
           std::all_of(serial.begin(), serial.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

bool is_data_record(std::uint8_t type) {
    return type == static_cast<std::uint8_t>(RecordType::announce) ||
           type == static_cast<std::uint8_t>(RecordType::live_data) ||
           type == static_cast<std::uint8_t>(RecordType::buffered_data);
}

std::string datalogger_of(const Frame& record) {
    const std::size_t l = serial_field_size(record.protocol);
    if (record.body.size() < l) return {};
    return serial_from_field(std::span(record.body).first(l));
}

Expected<DataRecord, std::string> decode_data_record(const Frame& record) {
    const std::span<const std::uint8_t> body = record.body;
    const std::size_t l = serial_field_size(record.protocol);
    const bool has_time = record.protocol != static_cast<std::uint16_t>(Protocol::v0);
    // Serials, timestamp, block count (1 byte, not trusted: blocks run to the body's end).
    const std::size_t fixed = 2 * l + (has_time ? time_size : 0) + 1;
    if (body.size() < fixed) {
        return Unexpected{"body of " + std::to_string(body.size()) +
                          " bytes, shorter than serials, timestamp and block count (" +
                          std::to_string(fixed) + ")"};
    }
    DataRecord out;
    out.datalogger = serial_from_field(body.first(l));
    out.inverter = serial_from_field(body.subspan(l, l));
    if (!plausible_serial(out.datalogger)) {
        return Unexpected{std::string("datalogger serial field") + at_offset(0) +
                          " is not letters and digits (encrypted firmware?)"};
    }
    if (has_time) out.time = time_from(body.subspan(2 * l, time_size));
    auto blocks = blocks_from(body, fixed);
    if (!blocks) return Unexpected{blocks.error()};
    out.blocks = std::move(*blocks);
    return out;
}

std::vector<std::uint8_t> encode_data_body(const DataRecord& record, std::uint16_t protocol) {
    const std::size_t l = serial_field_size(protocol);
    std::vector<std::uint8_t> out;
    auto put_serial = [&](const std::string& serial) {
        const auto at = out.size();
        out.insert(out.end(), serial.begin(), serial.begin() + static_cast<std::ptrdiff_t>(
                                                                   std::min(serial.size(), l)));
        out.resize(at + l, 0);
    };
    auto put_u16 = [&](std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v & 0xFFU));
    };
    put_serial(record.datalogger);
    put_serial(record.inverter);
    if (protocol != static_cast<std::uint16_t>(Protocol::v0)) {
        if (record.time) {
            const auto& t = *record.time;
            for (int v : {t.year - 2000, t.month, t.day, t.hour, t.minute, t.second})
                out.push_back(static_cast<std::uint8_t>(v));
        } else {
            out.resize(out.size() + time_size, 0);
        }
    }
    out.push_back(static_cast<std::uint8_t>(record.blocks.size()));
    for (const auto& b : record.blocks) {
        put_u16(b.first);
        put_u16(static_cast<std::uint16_t>(b.first + b.values.size() - 1));
        for (auto v : b.values) put_u16(v);
    }
    return out;
}

}  // namespace regpoll::shine
