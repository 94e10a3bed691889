#include "codec/value_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "golden_vectors.hpp"

namespace regpoll::codec {
namespace {

using Words = std::vector<std::uint16_t>;
using test::golden_format;

std::string text_error(std::string_view text, const Format& format) {
    const auto regs = encode_text(text, format);
    return regs ? "no error" : regs.error();
}

Words text_words(std::string_view text, const Format& format) {
    const auto regs = encode_text(text, format);
    EXPECT_TRUE(regs) << text << ": " << regs.error();
    return regs ? *regs : Words{};
}

TEST(EncodeText, Decimals) {
    const Format int16 = golden_format(Type::int16, "ABCD");
    EXPECT_EQ(text_words("-1234", int16), Words{0xFB2E});
    EXPECT_EQ(text_words("+12", int16), Words{12});
    EXPECT_EQ(text_words("12.6", int16), Words{13});
    EXPECT_EQ(text_words("1e3", int16), Words{1000});
    EXPECT_EQ(text_words("18446744073709551615", golden_format(Type::uint64, "ABCD")),
              (Words{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}));
    EXPECT_EQ(text_words("123456", golden_format(Type::float32, "ABCD")), (Words{0x47F1, 0x2000}));
    EXPECT_EQ(text_words("-1.5", golden_format(Type::float32, "DCBA")), (Words{0x0000, 0xC0BF}));
    EXPECT_EQ(text_words("1234", golden_format(Type::bcd, "ABCD")), Words{0x1234});
}

TEST(EncodeText, ScaleAndOffset) {
    Format format = golden_format(Type::int16, "ABCD");
    format.scale = 0.1;
    EXPECT_EQ(text_words("55.5", format), Words{555});
}

// Hex gives the raw register bits, so scale and offset do not apply.
TEST(EncodeText, HexIsRawBits) {
    Format format = golden_format(Type::int16, "ABCD");
    format.scale = 0.1;
    EXPECT_EQ(text_words("0xFFFF", format), Words{0xFFFF});
    EXPECT_EQ(text_words("0X1a2B", format), Words{0x1A2B});
    EXPECT_EQ(text_words("0x47F12000", golden_format(Type::uint32, "CDAB")),
              (Words{0x2000, 0x47F1}));
    EXPECT_EQ(text_words("0x1234", golden_format(Type::bcd, "ABCD")), Words{0x1234});
    EXPECT_EQ(text_error("0x10000", format), "raw value 0x10000 does not fit in int16 (16 bits)");
    EXPECT_EQ(text_error("0x", format), "\"0x\" is not a hex number (type int16)");
    EXPECT_EQ(text_error("0xG1", format), "\"0xG1\" is not a hex number (type int16)");
    EXPECT_EQ(text_error("-0x10", format),
              "\"-0x10\" is negative, but hex gives raw register bits (type int16)");
}

TEST(EncodeText, Bools) {
    const Format format = golden_format(Type::boolean, "ABCD");
    for (std::string_view yes : {"true", "TRUE", "on", "On", "1"}) {
        EXPECT_EQ(text_words(yes, format), Words{1}) << yes;
    }
    for (std::string_view no : {"false", "False", "off", "OFF", "0"}) {
        EXPECT_EQ(text_words(no, format), Words{0}) << no;
    }
    EXPECT_EQ(text_error("yes", format),
              "\"yes\" is not a bool (expected true, false, on, off, 1 or 0)");
    EXPECT_EQ(text_error("", format), "\"\" is not a bool (expected true, false, on, off, 1 or 0)");
}

TEST(EncodeText, StringsVerbatim) {
    const Format format = test::golden_string("BADC", 2);
    EXPECT_EQ(text_words("AB12", format), (Words{0x4241, 0x3231}));
    EXPECT_EQ(text_words("0x12", format), (Words{0x7830, 0x3231}));
    EXPECT_EQ(text_error("AB123", format),
              "string \"AB123\" has 5 characters, more than the 4 that fit in 2 registers");
}

TEST(EncodeText, FloatSpecials) {
    const Format format = golden_format(Type::float32, "ABCD");
    EXPECT_EQ(text_words("inf", format), (Words{0x7F80, 0x0000}));
    EXPECT_EQ(text_words("-inf", format), (Words{0xFF80, 0x0000}));
    EXPECT_EQ(text_words("nan", format), (Words{0x7FC0, 0x0000}));
    EXPECT_EQ(text_error("0x3F800000", format), "\"0x3F800000\" is not a number (type float32)");
    EXPECT_EQ(text_error("nan", golden_format(Type::int16, "ABCD")),
              "value nan cannot be encoded as int16 (not a finite number)");
}

TEST(EncodeText, NotANumber) {
    const Format format = golden_format(Type::int16, "ABCD");
    EXPECT_EQ(text_error("12a", format), "\"12a\" is not a number (type int16)");
    EXPECT_EQ(text_error("", format), "\"\" is not a number (type int16)");
    EXPECT_EQ(text_error(" 12", format), "\" 12\" is not a number (type int16)");
    EXPECT_EQ(text_error("+", format), "\"+\" is not a number (type int16)");
    EXPECT_EQ(text_error("+-1", format), "\"+-1\" is not a number (type int16)");
    EXPECT_EQ(text_error("1,5", golden_format(Type::float64, "ABCD")),
              "\"1,5\" is not a number (type float64)");
}

TEST(EncodeText, OutOfRange) {
    EXPECT_EQ(text_error("70000", golden_format(Type::uint16, "ABCD")),
              "value 70000 is out of range for uint16 (0..65535)");
    EXPECT_EQ(text_error("-1", golden_format(Type::uint16, "ABCD")),
              "value -1 is out of range for uint16 (0..65535)");
    EXPECT_EQ(text_error("99999999999999999999", golden_format(Type::uint64, "ABCD")),
              "value 1e+20 is out of range for uint64 (0..18446744073709551615)");
}

}  // namespace
}  // namespace regpoll::codec
