#include "codec/checksum.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace regpoll::codec {
namespace {

// The CRC goes on the wire low byte first.
std::array<std::uint8_t, 2> crc_on_wire(const std::vector<std::uint8_t>& frame) {
    const std::uint16_t crc = crc16(frame);
    return {static_cast<std::uint8_t>(crc & 0xFFU), static_cast<std::uint8_t>(crc >> 8)};
}

using Wire = std::array<std::uint8_t, 2>;

TEST(Crc16, ReadHoldingRegisterRequest) {
    const std::vector<std::uint8_t> frame{0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
    EXPECT_EQ(crc16(frame), 0x0A84);
    EXPECT_EQ(crc_on_wire(frame), (Wire{0x84, 0x0A}));
}

TEST(Crc16, ReadInputRegistersRequest) {
    EXPECT_EQ(crc_on_wire({0x01, 0x04, 0x00, 0x00, 0x00, 0x02}), (Wire{0x71, 0xCB}));
}

TEST(Crc16, ReadHoldingRegisterAt0x1000) {
    EXPECT_EQ(crc_on_wire({0x01, 0x03, 0x10, 0x00, 0x00, 0x01}), (Wire{0x80, 0xCA}));
}

TEST(Crc16, ReadHoldingRegisterResponse) {
    EXPECT_EQ(crc_on_wire({0x01, 0x03, 0x02, 0x00, 0xF6}), (Wire{0x38, 0x02}));
}

TEST(Crc16, WriteSingleCoilOn) {
    EXPECT_EQ(crc_on_wire({0x01, 0x05, 0x08, 0x14, 0xFF, 0x00}), (Wire{0xCE, 0x5E}));
}

TEST(Crc16, ReadHoldingRegisterAt5) {
    EXPECT_EQ(crc_on_wire({0x01, 0x03, 0x00, 0x05, 0x00, 0x01}), (Wire{0x94, 0x0B}));
}

TEST(Crc16, EmptyInputIsThePreset) {
    EXPECT_EQ(crc16({}), 0xFFFF);
}

TEST(Crc16, FrameWithItsCrcAppendedChecksToZero) {
    std::vector<std::uint8_t> frame{0x01, 0x03, 0x02, 0x00, 0xF6};
    const auto wire = crc_on_wire(frame);
    frame.insert(frame.end(), wire.begin(), wire.end());
    EXPECT_EQ(crc16(frame), 0x0000);
}

TEST(Lrc, ReadHoldingRegisterRequest) {
    const std::vector<std::uint8_t> frame{0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
    EXPECT_EQ(lrc(frame), 0xFB);
}

TEST(Lrc, ReadHoldingRegisterAt0x1001) {
    const std::vector<std::uint8_t> frame{0x01, 0x03, 0x10, 0x01, 0x00, 0x01};
    EXPECT_EQ(lrc(frame), 0xEA);
}

// The example of the Modbus serial line guide: ":1103006B00037E".
TEST(Lrc, SpecificationExampleAndSumWithLrcIsZero) {
    std::vector<std::uint8_t> frame{0x11, 0x03, 0x00, 0x6B, 0x00, 0x03};
    EXPECT_EQ(lrc(frame), 0x7E);
    frame.push_back(lrc(frame));
    std::uint8_t sum = 0;
    for (std::uint8_t b : frame) sum = static_cast<std::uint8_t>(sum + b);
    EXPECT_EQ(sum, 0);
}

TEST(Lrc, EmptyInputIsZero) {
    EXPECT_EQ(lrc({}), 0x00);
}

}  // namespace
}  // namespace regpoll::codec
