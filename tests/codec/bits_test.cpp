#include "codec/bits.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace regpoll::codec {
namespace {

// pyModbusTCP documentation: get_bits_from_int(0x1F) gives 16 bits, least significant first.
TEST(PyModbusTcpDocs, GetBitsFromInt) {
    const std::vector<bool> expected{true,  true,  true,  true,  true,  false, false, false,
                                     false, false, false, false, false, false, false, false};
    EXPECT_EQ(bits_from_int(0x1F), expected);
    const auto word_bits = bits_from_word(0x1F);
    EXPECT_EQ(std::vector<bool>(word_bits.begin(), word_bits.end()), expected);
}

TEST(Bits, FromIntWidths) {
    EXPECT_EQ(bits_from_int(0x8000'0000, 32).back(), true);
    EXPECT_EQ(bits_from_int(0xFFFF, 4), (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(bits_from_int(1, 100).size(), 64U);
    EXPECT_TRUE(bits_from_int(1, 0).empty());
}

TEST(Bits, BackToInt) {
    EXPECT_EQ(int_from_bits(bits_from_int(0xA5C3)), 0xA5C3U);
    EXPECT_EQ(int_from_bits(bits_from_word(0x8001)), 0x8001U);
    EXPECT_EQ(int_from_bits(std::vector<bool>{}), 0U);
    static_assert(int_from_bits(std::array<bool, 3>{true, false, true}) == 5);
}

// pyModbusTCP documentation examples for the single-bit functions.
TEST(PyModbusTcpDocs, SetResetToggleTest) {
    static_assert(set_bit(std::uint16_t{0}, 2) == 4);
    static_assert(reset_bit(std::uint16_t{0xFF}, 0) == 0xFE);
    static_assert(toggle_bit(std::uint16_t{0x01}, 0) == 0x00);
    static_assert(toggle_bit(std::uint16_t{0x00}, 15) == 0x8000);
    static_assert(test_bit(std::uint16_t{0x8000}, 15));
    static_assert(!test_bit(std::uint16_t{0x8000}, 14));
    EXPECT_EQ(set_bit(std::uint64_t{0}, 63), 0x8000000000000000U);
    EXPECT_TRUE(test_bit(std::uint8_t{0x80}, 7));
}

TEST(Bits, OffsetPastTheWidthChangesNothing) {
    EXPECT_FALSE(test_bit(std::uint16_t{0xFFFF}, 16));
    EXPECT_EQ(set_bit(std::uint16_t{0x1234}, 16), 0x1234);
    EXPECT_EQ(reset_bit(std::uint16_t{0x1234}, 40), 0x1234);
    EXPECT_EQ(toggle_bit(std::uint64_t{7}, 64), 7U);
}

TEST(Bits, ByteLength) {
    static_assert(byte_length(0) == 0);
    static_assert(byte_length(1) == 1);
    static_assert(byte_length(8) == 1);
    static_assert(byte_length(9) == 2);
    static_assert(byte_length(2000) == 250);
}

}  // namespace
}  // namespace regpoll::codec
