#pragma once
// What Shine records mean: their types, how the server answers each, and the decoding of
// data records (0x03 announce with holding registers, 0x04 live and 0x50 buffered input
// registers) into serials, timestamp and register blocks.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "shine/frame.hpp"

namespace regpoll::shine {

// Record types ("function" byte). S = from the stick, C = from the server.
enum class RecordType : std::uint8_t {
    announce = 0x03,         // S: holding registers, at (re)connect and now and then
    live_data = 0x04,        // S: input registers, every upload interval
    register_read = 0x05,    // C: read inverter holding registers; S: the answer
    register_write = 0x06,   // C: write one holding register; S: the answer
    registers_write = 0x10,  // C: write several holding registers; S: the answer
    ping = 0x16,             // S: keep-alive, echoed
    config_write = 0x18,     // C: write a datalogger setting; S: status
    config_read = 0x19,      // C: read datalogger settings; S: one answer per item
    meter_text = 0x1b,       // S: smart meter, ASCII list
    meter = 0x20,            // S: smart meter registers
    aes_key = 0x41,          // S: key exchange of AES firmware (bodies not decodable)
    buffered_data = 0x50,    // S: input registers stored during an outage
};

// Readable name of a type byte, "unknown" for types we never saw documented.
std::string_view record_type_name(std::uint8_t type);

// How the server answers a record from the stick.
enum class Reply { ack, echo, none };
Reply reply_to(std::uint8_t type);

// The ack of a data record: its transaction, protocol, unit and type, length 3 and one
// body byte 0x00 (masked and CRC'd in 5/6: 9 bytes in 0/2, 11 in 5/6).
std::vector<std::uint8_t> build_ack(const Frame& record);

// A serial-number field: the ASCII up to the first NUL (fields are NUL-padded in 6).
std::string serial_from_field(std::span<const std::uint8_t> field);
// 1 to 30 letters and digits: what a real logger or inverter serial looks like. Bodies that
// do not unmask to this are encrypted (AES firmware) or not Shine at all.
bool plausible_serial(std::string_view serial);

// The logger's local clock as the record states it (year with century).
struct RecordTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    friend bool operator==(const RecordTime&, const RecordTime&) = default;
};

// One run of consecutive registers, big-endian u16 on the wire.
struct RegisterBlock {
    std::uint16_t first = 0;
    std::vector<std::uint16_t> values;
};

struct DataRecord {
    std::string datalogger;             // logger serial
    std::string inverter;               // inverter serial
    std::optional<RecordTime> time;     // absent in protocol 0 and all-zero on old 02 firmware
    std::vector<RegisterBlock> blocks;  // in record order
};

bool is_data_record(std::uint8_t type);  // 0x03, 0x04, 0x50

// Decodes a data record's body. The error names the part and body offset that is wrong.
Expected<DataRecord, std::string> decode_data_record(const Frame& record);

// The body of a data record as a stick sends it (the inverse of decode_data_record):
// serials NUL-padded to the protocol's field, the time (zeros when absent; none in
// protocol 0), the block count, then the blocks. Frame it with encode_frame.
std::vector<std::uint8_t> encode_data_body(const DataRecord& record, std::uint16_t protocol);

// The logger serial of any stick record (its first body field); empty when the body is
// shorter than the field.
std::string datalogger_of(const Frame& record);

}  // namespace regpoll::shine
