#include "modbus/ascii.hpp"

#include <algorithm>

#include "codec/checksum.hpp"
#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

int hex_value(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

ParseResult error_result(Errc e, std::size_t consumed) {
    ParseResult r;
    r.status = ParseResult::Status::error;
    r.error = make_error_code(e);
    r.consumed = consumed;
    return r;
}

}  // namespace

std::vector<std::uint8_t> encode_ascii(std::uint8_t unit, std::span<const std::uint8_t> pdu) {
    std::vector<std::uint8_t> binary;
    binary.reserve(pdu.size() + 2);
    binary.push_back(unit);
    binary.insert(binary.end(), pdu.begin(), pdu.end());
    binary.push_back(codec::lrc(binary));
    std::vector<std::uint8_t> out;
    out.reserve(binary.size() * 2 + 3);
    out.push_back(':');
    for (std::uint8_t b : binary) {
        out.push_back(static_cast<std::uint8_t>(hex_digits[b >> 4]));
        out.push_back(static_cast<std::uint8_t>(hex_digits[b & 0x0F]));
    }
    out.push_back('\r');
    out.push_back('\n');
    return out;
}

ParseResult parse_ascii(std::span<const std::uint8_t> buffer) {
    if (buffer.empty()) return ParseResult{};
    const auto start = std::find(buffer.begin(), buffer.end(), ':');
    if (start != buffer.begin()) {
        // Garbage before the start character: drop it (all of it if no ':' yet).
        ParseResult r;
        r.consumed = static_cast<std::size_t>(start - buffer.begin());
        return r;
    }
    // A second ':' before the end of this frame aborts it.
    const auto restart = std::find(buffer.begin() + 1, buffer.end(), ':');
    const auto lf = std::find(buffer.begin() + 1, restart, '\n');
    if (lf == restart) {
        if (restart != buffer.end()) {
            return error_result(Errc::malformed_frame,
                                static_cast<std::size_t>(restart - buffer.begin()));
        }
        if (buffer.size() >= ascii_max_frame) return error_result(Errc::frame_too_long, buffer.size());
        return ParseResult{};
    }
    const std::size_t frame_len = static_cast<std::size_t>(lf - buffer.begin()) + 1;
    if (frame_len > ascii_max_frame) return error_result(Errc::frame_too_long, frame_len);
    // ':' hex... CR LF
    if (frame_len < 3 || buffer[frame_len - 2] != '\r') {
        return error_result(Errc::malformed_frame, frame_len);
    }
    const std::size_t hex_len = frame_len - 3;
    if (hex_len % 2 != 0 || hex_len < 6) return error_result(Errc::malformed_frame, frame_len);
    std::vector<std::uint8_t> binary(hex_len / 2);
    for (std::size_t i = 0; i < binary.size(); ++i) {
        const int hi = hex_value(buffer[1 + 2 * i]);
        const int lo = hex_value(buffer[2 + 2 * i]);
        if (hi < 0 || lo < 0) return error_result(Errc::malformed_frame, frame_len);
        binary[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    const auto body = std::span<const std::uint8_t>(binary).first(binary.size() - 1);
    if (codec::lrc(body) != binary.back()) return error_result(Errc::bad_lrc, frame_len);
    ParseResult r;
    r.status = ParseResult::Status::frame;
    r.consumed = frame_len;
    r.adu.unit = binary[0];
    r.adu.pdu.assign(binary.begin() + 1, binary.end() - 1);
    return r;
}

}  // namespace regpoll::modbus
