#include "modbus/rtu.hpp"

#include "codec/checksum.hpp"
#include "modbus/error.hpp"
#include "modbus/pdu_length.hpp"

namespace regpoll::modbus {

std::vector<std::uint8_t> encode_rtu(std::uint8_t unit, std::span<const std::uint8_t> pdu) {
    std::vector<std::uint8_t> adu;
    adu.reserve(pdu.size() + 3);
    adu.push_back(unit);
    adu.insert(adu.end(), pdu.begin(), pdu.end());
    const std::uint16_t crc = codec::crc16(adu);
    adu.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    adu.push_back(static_cast<std::uint8_t>(crc >> 8));
    return adu;
}

ParseResult parse_rtu(std::span<const std::uint8_t> buffer, Direction direction,
                      std::span<const std::uint8_t> request) {
    ParseResult r;
    if (buffer.size() < 2) return r;
    const auto pdu_prefix = buffer.subspan(1);
    const LengthProbe probe = direction == Direction::response
                                  ? response_pdu_length(pdu_prefix, request)
                                  : request_pdu_length(pdu_prefix);
    if (probe.kind == LengthProbe::Kind::invalid) {
        r.status = ParseResult::Status::error;
        r.error = make_error_code(Errc::unknown_function);
        r.consumed = buffer.size();
        return r;
    }
    if (probe.kind == LengthProbe::Kind::need_more) return r;
    const std::size_t total = 1 + probe.length + 2;
    if (total > rtu_max_adu) {
        r.status = ParseResult::Status::error;
        r.error = make_error_code(Errc::frame_too_long);
        r.consumed = buffer.size();
        return r;
    }
    if (buffer.size() < total) return r;
    r.consumed = total;
    const std::uint16_t crc = codec::crc16(buffer.first(total - 2));
    const std::uint16_t wire = static_cast<std::uint16_t>(buffer[total - 2] | (buffer[total - 1] << 8));
    if (crc != wire) {
        r.status = ParseResult::Status::error;
        r.error = make_error_code(Errc::bad_crc);
        return r;
    }
    r.status = ParseResult::Status::frame;
    r.adu.unit = buffer[0];
    r.adu.pdu.assign(buffer.begin() + 1, buffer.begin() + static_cast<long>(total - 2));
    return r;
}

}  // namespace regpoll::modbus
