#include "shine/frame.hpp"

#include "codec/checksum.hpp"

namespace regpoll::shine {
namespace {

constexpr std::string_view mask_key = "Growatt";
// Transaction, protocol and length: what must be there to judge a header.
constexpr std::size_t judged_header_size = 6;

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFFU));
}

// A header we would wait for: known protocol and a length that can hold unit + type.
bool plausible_header(std::span<const std::uint8_t> b) {
    if (!is_known_protocol(be16(b, 2))) return false;
    const std::uint16_t length = be16(b, 4);
    return length >= 2 && length <= max_length;
}

// Where to resynchronise: the first offset in [1, limit) that starts a plausible header.
// For garbage (`wait_at_end`), offsets too close to the end to judge stop the scan, as
// they may begin the next header; a frame with a bad CRC is skipped whole unless a header
// shows inside it (a false header made of garbage and the start of a real one).
std::size_t resync_offset(std::span<const std::uint8_t> b, std::size_t limit, bool wait_at_end) {
    for (std::size_t at = 1; at < limit; ++at) {
        if (at + judged_header_size > b.size()) {
            if (wait_at_end) return at;
            continue;
        }
        if (plausible_header(b.subspan(at))) return at;
    }
    return limit;
}

}  // namespace

bool is_known_protocol(std::uint16_t protocol) {
    switch (static_cast<Protocol>(protocol)) {
        case Protocol::v0:
        case Protocol::v2:
        case Protocol::v5:
        case Protocol::v6:
            return true;
    }
    return false;
}

bool is_masked(std::uint16_t protocol) {
    return protocol == static_cast<std::uint16_t>(Protocol::v5) ||
           protocol == static_cast<std::uint16_t>(Protocol::v6);
}

std::size_t serial_field_size(std::uint16_t protocol) {
    return protocol == static_cast<std::uint16_t>(Protocol::v6) ? 30 : 10;
}

void xor_mask(std::span<std::uint8_t> bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(
            bytes[i] ^ static_cast<std::uint8_t>(mask_key[i % mask_key.size()]));
    }
}

std::uint16_t frame_crc(std::span<const std::uint8_t> bytes) {
    return codec::crc16(bytes);
}

std::vector<std::uint8_t> encode_frame(std::uint16_t transaction, std::uint16_t protocol,
                                       std::uint8_t unit, std::uint8_t type,
                                       std::span<const std::uint8_t> plain_body) {
    const bool masked = is_masked(protocol);
    std::vector<std::uint8_t> out;
    out.reserve(header_size + plain_body.size() + (masked ? crc_size : 0));
    put_u16(out, transaction);
    put_u16(out, protocol);
    put_u16(out, static_cast<std::uint16_t>(plain_body.size() + 2));
    out.push_back(unit);
    out.push_back(type);
    out.insert(out.end(), plain_body.begin(), plain_body.end());
    if (masked) {
        xor_mask(std::span(out).subspan(header_size));
        put_u16(out, frame_crc(out));
    }
    return out;
}

std::string_view describe(CutError error) {
    switch (error) {
        case CutError::none:
            return "no error";
        case CutError::bad_header:
            return "no Shine header (unknown protocol id or impossible length)";
        case CutError::bad_crc:
            return "CRC mismatch";
    }
    return "unknown error";
}

CutResult cut_frame(std::span<const std::uint8_t> buffer) {
    CutResult r;
    if (buffer.size() < judged_header_size) return r;
    if (!plausible_header(buffer)) {
        r.status = CutResult::Status::dropped;
        r.error = CutError::bad_header;
        r.consumed = resync_offset(buffer, buffer.size(), true);
        return r;
    }
    const std::uint16_t protocol = be16(buffer, 2);
    const bool masked = is_masked(protocol);
    const std::size_t body_end = judged_header_size + be16(buffer, 4);
    const std::size_t total = body_end + (masked ? crc_size : 0);
    if (buffer.size() < total) return r;
    const auto bytes = buffer.first(total);
    if (masked && frame_crc(bytes.first(body_end)) != be16(bytes, body_end)) {
        r.status = CutResult::Status::dropped;
        r.error = CutError::bad_crc;
        r.consumed = resync_offset(buffer, total, false);
        return r;
    }
    r.status = CutResult::Status::frame;
    r.consumed = total;
    Frame& f = r.frame;
    f.transaction = be16(bytes, 0);
    f.protocol = protocol;
    f.unit = bytes[6];
    f.type = bytes[7];
    f.body.assign(bytes.begin() + header_size, bytes.begin() + static_cast<long>(body_end));
    if (masked) xor_mask(f.body);
    f.raw.assign(bytes.begin(), bytes.end());
    return r;
}

}  // namespace regpoll::shine
