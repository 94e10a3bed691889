#include "modbus/mbap.hpp"

#include "modbus/error.hpp"

namespace regpoll::modbus {

void append_mbap(std::vector<std::uint8_t>& out, std::uint16_t transaction, std::uint8_t unit,
                 std::span<const std::uint8_t> pdu) {
    out.reserve(out.size() + mbap_header_size + pdu.size());
    put_u16(out, transaction);
    put_u16(out, 0);
    put_u16(out, static_cast<std::uint16_t>(pdu.size() + 1));
    out.push_back(unit);
    out.insert(out.end(), pdu.begin(), pdu.end());
}

std::vector<std::uint8_t> encode_mbap(std::uint16_t transaction, std::uint8_t unit,
                                      std::span<const std::uint8_t> pdu) {
    std::vector<std::uint8_t> adu;
    append_mbap(adu, transaction, unit, pdu);
    return adu;
}

ParseResult parse_mbap(std::span<const std::uint8_t> buffer) {
    ParseResult r;
    if (buffer.size() < mbap_header_size) return r;
    const std::uint16_t protocol = get_u16(buffer, 2);
    const std::uint16_t length = get_u16(buffer, 4);
    if (protocol != 0) {
        r.status = ParseResult::Status::error;
        r.error = make_error_code(Errc::protocol_mismatch);
        r.consumed = buffer.size();
        return r;
    }
    if (length < 2 || length > max_pdu_size + 1) {
        r.status = ParseResult::Status::error;
        r.error = make_error_code(length < 2 ? Errc::malformed_frame : Errc::frame_too_long);
        r.consumed = buffer.size();
        return r;
    }
    const std::size_t total = 6U + length;
    if (buffer.size() < total) return r;
    r.status = ParseResult::Status::frame;
    r.consumed = total;
    r.adu.transaction = get_u16(buffer, 0);
    r.adu.unit = buffer[6];
    r.adu.pdu.assign(buffer.begin() + mbap_header_size, buffer.begin() + static_cast<long>(total));
    return r;
}

}  // namespace regpoll::modbus
