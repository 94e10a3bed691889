// libFuzzer target: the RTU parser in both directions, responses with and without the
// request that resolves request-dependent lengths.
//
// Input: mode byte (bit 0: response, bit 1: with a request), then for a response with a
// request the request's bytes (see derive_request), then the bytes on the line.
#include <algorithm>
#include <cstdint>
#include <span>

#include "frame_stream.hpp"
#include "modbus/frame_dump.hpp"
#include "modbus/rtu.hpp"

using namespace regpoll;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const std::uint8_t mode = in.u8();
    const auto direction =
        (mode & 1U) != 0 ? modbus::Direction::response : modbus::Direction::request;
    const bool with_request = direction == modbus::Direction::response && (mode & 2U) != 0;
    const modbus::Pdu request = with_request ? fuzz::derive_request(in) : modbus::Pdu{};
    const auto line = in.rest();

    const auto parse = [&](std::span<const std::uint8_t> b) {
        return modbus::parse_rtu(b, direction, request);
    };
    fuzz::check_stream(
        line, parse, [&](const modbus::Adu& adu, std::span<const std::uint8_t> frame) {
            const auto again = modbus::encode_rtu(adu.unit, adu.pdu);
            fuzz::require(std::ranges::equal(again, frame),
                          "an RTU frame re-encodes to the same bytes");
            fuzz::require(frame.size() <= modbus::rtu_max_adu, "an RTU frame fits 256 bytes");
            // What the link does next with a response: must not crash, whatever it says.
            if (with_request) (void)modbus::check_response(request, adu.pdu);
        });
    fuzz::require(parse({}).status == fuzz::Status::need_more, "parse_rtu of nothing is need_more");
    (void)modbus::dump_frame(modbus::Framing::rtu, line);
    return 0;
}
