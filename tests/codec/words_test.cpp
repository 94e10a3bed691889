#include "codec/words.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace regpoll::codec {
namespace {

using Words = std::vector<std::uint16_t>;

TEST(Bytes, SwapSplitJoin) {
    static_assert(swap_bytes(0x1234) == 0x3412);
    static_assert(high_byte(0x1234) == 0x12);
    static_assert(low_byte(0x1234) == 0x34);
    static_assert(make_word(0x12, 0x34) == 0x1234);
    EXPECT_EQ(swap_bytes(0x00FF), 0xFF00);
}

// pyModbusTCP documentation: word_list_to_long([0x1234, 0x5678]) == [0x12345678] by default
// (big endian) and [0x56781234] with big_endian=False.
TEST(PyModbusTcpDocs, WordListToLong) {
    EXPECT_EQ(words_to_u32(0x1234, 0x5678, WordOrder::big), 0x12345678U);
    EXPECT_EQ(words_to_u32(0x1234, 0x5678, WordOrder::little), 0x56781234U);
    const Words regs{0x1234, 0x5678, 0xABCD, 0xEF01};
    EXPECT_EQ(words_to_u32_list(regs, WordOrder::big),
              (std::vector<std::uint32_t>{0x12345678, 0xABCDEF01}));
    EXPECT_EQ(words_to_u32_list(regs, WordOrder::little),
              (std::vector<std::uint32_t>{0x56781234, 0xEF01ABCD}));
}

TEST(PyModbusTcpDocs, LongListToWord) {
    const std::vector<std::uint32_t> longs{0x12345678, 0xABCDEF01};
    EXPECT_EQ(u32_list_to_words(longs, WordOrder::big), (Words{0x1234, 0x5678, 0xABCD, 0xEF01}));
    EXPECT_EQ(u32_list_to_words(longs, WordOrder::little), (Words{0x5678, 0x1234, 0xEF01, 0xABCD}));
}

TEST(PyModbusTcpDocs, WordListToLongLong) {
    const Words regs{0x0123, 0x4567, 0x89AB, 0xCDEF};
    EXPECT_EQ(words_to_u64_list(regs, WordOrder::big),
              (std::vector<std::uint64_t>{0x0123456789ABCDEF}));
    // Little word order reverses all four words, as pyModbusTCP does with long_long=True.
    EXPECT_EQ(words_to_u64_list(regs, WordOrder::little),
              (std::vector<std::uint64_t>{0xCDEF89AB45670123}));
    const std::vector<std::uint64_t> longs{0x0123456789ABCDEF};
    EXPECT_EQ(u64_list_to_words(longs, WordOrder::big), regs);
    EXPECT_EQ(u64_list_to_words(longs, WordOrder::little), (Words{0xCDEF, 0x89AB, 0x4567, 0x0123}));
}

TEST(WordLists, IncompleteTrailingGroupIsIgnored) {
    EXPECT_EQ(words_to_u32_list(Words{0x1234, 0x5678, 0x9ABC}, WordOrder::big).size(), 1U);
    EXPECT_TRUE(words_to_u64_list(Words{1, 2, 3}, WordOrder::big).empty());
    EXPECT_TRUE(words_to_u32_list(Words{}, WordOrder::big).empty());
}

TEST(Words, SingleValuesBothWays) {
    constexpr std::array<std::uint16_t, 4> regs{0x0123, 0x4567, 0x89AB, 0xCDEF};
    static_assert(words_to_u64(regs, WordOrder::big) == 0x0123456789ABCDEF);
    static_assert(u64_to_words(0x0123456789ABCDEF, WordOrder::little) ==
                  std::array<std::uint16_t, 4>{0xCDEF, 0x89AB, 0x4567, 0x0123});
    static_assert(u32_to_words(0x12345678, WordOrder::big) ==
                  std::array<std::uint16_t, 2>{0x1234, 0x5678});
    EXPECT_EQ(words_to_u64(regs, WordOrder::little), 0xCDEF89AB45670123U);
}

// Byte order and word order are independent: the four combinations of 0x47F12000.
TEST(ReadWriteBits, AllFourOrders) {
    struct Case {
        ByteOrder bytes;
        WordOrder words;
        std::array<std::uint16_t, 2> regs;
    };
    const Case cases[] = {
        {ByteOrder::big, WordOrder::big, {0x47F1, 0x2000}},
        {ByteOrder::little, WordOrder::big, {0xF147, 0x0020}},
        {ByteOrder::big, WordOrder::little, {0x2000, 0x47F1}},
        {ByteOrder::little, WordOrder::little, {0x0020, 0xF147}},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(read_bits(c.regs, c.bytes, c.words), 0x47F12000U);
        std::array<std::uint16_t, 2> out{};
        write_bits(0x47F12000, out, c.bytes, c.words);
        EXPECT_EQ(out, c.regs);
    }
}

TEST(ReadWriteBits, AtMostFourRegisters) {
    const Words regs{0x0001, 0x0002, 0x0003, 0x0004, 0x0005};
    EXPECT_EQ(read_bits(regs, ByteOrder::big, WordOrder::big), 0x0001000200030004U);
    EXPECT_EQ(read_bits(Words{}, ByteOrder::big, WordOrder::big), 0U);
}

// pyModbusTCP documentation: get_2comp(0xFFFF, 16) == -1, and back.
TEST(PyModbusTcpDocs, TwosComplement) {
    EXPECT_EQ(to_signed(0xFFFF, 16), -1);
    EXPECT_EQ(to_unsigned(-1, 16), 0xFFFFU);
    EXPECT_EQ(to_signed(0x7FFF, 16), 0x7FFF);
    EXPECT_EQ(to_signed(0x8000, 16), -32768);
    EXPECT_EQ(to_signed(0xFFFFFFFF, 32), -1);
    EXPECT_EQ(to_signed(0x1F, 5), -1);
    EXPECT_EQ(to_signed(0x10, 5), -16);
    EXPECT_EQ(to_unsigned(-16, 5), 0x10U);
    EXPECT_EQ(to_signed(0x1FFFF, 16), -1);  // bits above the width are ignored
}

TEST(TwosComplement, FixedWidths) {
    static_assert(to_signed16(0xFFFF) == -1);
    static_assert(to_signed16(0x8000) == std::numeric_limits<std::int16_t>::min());
    static_assert(to_unsigned16(-1) == 0xFFFF);
    static_assert(to_signed8(0x80) == -128);
    static_assert(to_unsigned8(-1) == 0xFF);
    static_assert(to_signed32(0xFFFE1DC0) == -123456);
    static_assert(to_unsigned32(-123456) == 0xFFFE1DC0);
    static_assert(to_signed64(0xFFFFFFFFFFFFFFFF) == -1);
    static_assert(to_unsigned64(std::numeric_limits<std::int64_t>::min()) == 0x8000000000000000);
    EXPECT_EQ(to_signed16(64302), -1234);
    EXPECT_EQ(to_unsigned16(-1234), 64302);
}

TEST(TwosComplement, FullAndInvalidWidthsMeanSixtyFourBits) {
    EXPECT_EQ(to_signed(0xFFFFFFFFFFFFFFFF, 64), -1);
    EXPECT_EQ(to_signed(0xFFFFFFFFFFFFFFFF, 0), -1);
    EXPECT_EQ(to_unsigned(-1, 64), 0xFFFFFFFFFFFFFFFFU);
    EXPECT_EQ(to_unsigned(-1, 99), 0xFFFFFFFFFFFFFFFFU);
}

}  // namespace
}  // namespace regpoll::codec
