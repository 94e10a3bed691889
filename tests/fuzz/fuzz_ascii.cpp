// libFuzzer target: the Modbus ASCII parser over arbitrary line bytes.
#include <algorithm>
#include <cstdint>
#include <span>

#include "frame_stream.hpp"
#include "modbus/ascii.hpp"
#include "modbus/frame_dump.hpp"

using namespace regpoll;

namespace {

// The parser accepts lower-case hex; the encoder writes upper case.
std::uint8_t upper(std::uint8_t c) {
    return c >= 'a' && c <= 'f' ? static_cast<std::uint8_t>(c - 'a' + 'A') : c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const auto parse = [](std::span<const std::uint8_t> b) { return modbus::parse_ascii(b); };
    fuzz::check_stream(
        input, parse, [](const modbus::Adu& adu, std::span<const std::uint8_t> frame) {
            const auto again = modbus::encode_ascii(adu.unit, adu.pdu);
            fuzz::require(std::ranges::equal(again, frame, {}, {}, upper),
                          "an ASCII frame re-encodes to the same characters (hex case aside)");
            fuzz::require(frame.size() <= modbus::ascii_max_frame,
                          "an ASCII frame fits 513 characters");
        });
    fuzz::require(parse({}).status == fuzz::Status::need_more,
                  "parse_ascii of nothing is need_more");
    (void)modbus::dump_frame(modbus::Framing::ascii, input);
    return 0;
}
