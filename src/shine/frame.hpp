#pragma once
// Growatt Shine framing: the records a ShineWiFi/ShineLAN/ShineLink datalogger pushes to its
// server over TCP, and the server's answers. Pure code over byte spans.
//
// A frame is an 8-byte big-endian header (transaction, protocol, length, unit, type), the
// body, and for protocols 5 and 6 a CRC-16. `length` counts the bytes after itself,
// without the CRC: unit + type + body. Protocols 5/6 XOR the body with "Growatt" (from
// frame offset 8) and append CRC-16/MODBUS over all preceding bytes as sent, HIGH byte
// first (the opposite of Modbus RTU). Protocols 0 and 2 are plain and carry no CRC.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace regpoll::shine {

inline constexpr std::size_t header_size = 8;
inline constexpr std::size_t crc_size = 2;
// Largest `length` accepted. Real records reach about 850 bytes (three 125-register blocks
// in protocol 6 are 837); four such blocks are 1085. Anything past this is a broken header.
inline constexpr std::size_t max_length = 4096;

// A big-endian u16 at `at` (header fields, register values); the caller checks the size.
inline std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// Protocol ids seen in the field.
enum class Protocol : std::uint16_t { v0 = 0x0000, v2 = 0x0002, v5 = 0x0005, v6 = 0x0006 };

bool is_known_protocol(std::uint16_t protocol);
// Protocols 5 and 6: masked body and CRC.
bool is_masked(std::uint16_t protocol);
// Size of a serial-number field in bodies: 30 in protocol 6 (10 ASCII + 20 zero bytes), 10
// otherwise.
std::size_t serial_field_size(std::uint16_t protocol);

// One record, as cut from the stream.
struct Frame {
    std::uint16_t transaction = 0;
    std::uint16_t protocol = 0;
    std::uint8_t unit = 0;
    std::uint8_t type = 0;
    std::vector<std::uint8_t> body;  // unmasked, without the CRC
    std::vector<std::uint8_t> raw;   // the frame exactly as received (echo, hex dumps)
};

// XORs `bytes` with "Growatt" repeated, the key's first letter on bytes[0]. Masks and
// unmasks alike.
void xor_mask(std::span<std::uint8_t> bytes);

// The CRC as the Shine protocol sends it: CRC-16/MODBUS, big endian on the wire.
std::uint16_t frame_crc(std::span<const std::uint8_t> bytes);

// Builds a frame from a plain body: header with length, mask and CRC when the protocol
// wants them.
std::vector<std::uint8_t> encode_frame(std::uint16_t transaction, std::uint16_t protocol,
                                       std::uint8_t unit, std::uint8_t type,
                                       std::span<const std::uint8_t> plain_body);

// Why bytes were dropped.
enum class CutError : std::uint8_t {
    none,
    bad_header,  // no known protocol id or an impossible length: skipped to the next header
    bad_crc,     // a frame whose CRC does not match: dropped up to the next header in it
};
std::string_view describe(CutError error);

struct CutResult {
    enum class Status { need_more, frame, dropped };
    Status status = Status::need_more;
    // Bytes of the input this result accounts for (the frame, or the bytes dropped). The
    // caller removes them before cutting on; need_more consumes nothing.
    std::size_t consumed = 0;
    Frame frame;
    CutError error = CutError::none;
};

// Cuts one record from the start of `buffer`. need_more until the whole frame is there;
// a frame when its header is sane and (for 5/6) its CRC matches; otherwise `dropped`,
// consuming the bad frame (up to a plausible header inside it, if any) or the garbage up
// to the next plausible header, so the stream resynchronises.
CutResult cut_frame(std::span<const std::uint8_t> buffer);

}  // namespace regpoll::shine
