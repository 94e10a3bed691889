// libFuzzer target: the MBAP (Modbus TCP) parser over arbitrary received bytes.
#include <algorithm>
#include <cstdint>
#include <span>

#include "frame_stream.hpp"
#include "modbus/frame_dump.hpp"
#include "modbus/mbap.hpp"

using namespace regpoll;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const auto parse = [](std::span<const std::uint8_t> b) { return modbus::parse_mbap(b); };
    fuzz::check_stream(
        input, parse, [](const modbus::Adu& adu, std::span<const std::uint8_t> frame) {
            const auto again = modbus::encode_mbap(adu.transaction, adu.unit, adu.pdu);
            fuzz::require(std::ranges::equal(again, frame),
                          "an MBAP frame re-encodes to the same bytes");
        });
    // An empty read must be "need more", whatever the span points at.
    fuzz::require(modbus::parse_mbap({}).status == fuzz::Status::need_more,
                  "parse_mbap of nothing is need_more");
    (void)modbus::dump_frame(modbus::Framing::mbap, input);
    return 0;
}
