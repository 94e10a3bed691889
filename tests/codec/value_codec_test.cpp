#include "codec/value_codec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "codec/words.hpp"
#include "golden_vectors.hpp"

namespace regpoll::codec {
namespace {

using Words = std::vector<std::uint16_t>;
using test::golden_format;
using test::GoldenVector;

class Golden : public ::testing::TestWithParam<GoldenVector> {};

TEST_P(Golden, Decodes) {
    const GoldenVector& golden = GetParam();
    const auto value = decode(golden.registers, golden.format);
    ASSERT_TRUE(value) << value.error();
    EXPECT_EQ(value->index(), golden.value.index())
        << "wrong alternative: " << format_value(*value);
    EXPECT_EQ(*value, golden.value) << format_value(*value) << " != " << format_value(golden.value);
}

TEST_P(Golden, DecodesWithExtraRegistersAfter) {
    const GoldenVector& golden = GetParam();
    Words regs = golden.registers;
    regs.push_back(0xDEAD);
    const auto value = decode(regs, golden.format);
    ASSERT_TRUE(value) << value.error();
    EXPECT_EQ(*value, golden.value);
}

TEST_P(Golden, Encodes) {
    const GoldenVector& golden = GetParam();
    const auto regs = encode(golden.value, golden.format);
    ASSERT_TRUE(regs) << regs.error();
    EXPECT_EQ(*regs, golden.registers);
}

INSTANTIATE_TEST_SUITE_P(Vectors, Golden, ::testing::ValuesIn(test::golden_vectors()),
                         [](const auto& vector_info) {
                             return std::string(vector_info.param.name);
                         });

Format scaled(Type type, double scale, double offset = 0.0) {
    Format format;
    format.type = type;
    format.scale = scale;
    format.offset = offset;
    return format;
}

std::string encode_error(const Value& value, const Format& format) {
    const auto regs = encode(value, format);
    return regs ? "no error" : regs.error();
}

std::string decode_error(const Words& regs, const Format& format) {
    const auto value = decode(regs, format);
    return value ? "no error, got " + format_value(*value) : value.error();
}

TEST(ScaleOffset, Int16TenthsRoundTrip) {
    const Format format = scaled(Type::int16, 0.1);
    const auto value = decode(Words{555}, format);
    ASSERT_TRUE(value);
    ASSERT_TRUE(std::holds_alternative<double>(*value));
    EXPECT_DOUBLE_EQ(std::get<double>(*value), 55.5);
    EXPECT_EQ(*encode(55.5, format), Words{555});
    EXPECT_EQ(*encode(-55.5, format), Words{0xFDD5});  // -555
    EXPECT_DOUBLE_EQ(std::get<double>(*decode(Words{0xFDD5}, format)), -55.5);
}

TEST(ScaleOffset, OffsetApplies) {
    const Format format = scaled(Type::uint16, 0.01, -40.0);  // e.g. a temperature
    EXPECT_DOUBLE_EQ(std::get<double>(*decode(Words{6500}, format)), 25.0);
    EXPECT_EQ(*encode(25.0, format), Words{6500});
    EXPECT_EQ(*encode(std::int64_t{25}, format), Words{6500});
}

TEST(ScaleOffset, FloatsAndWideIntegersScaleToo) {
    EXPECT_EQ(std::get<double>(*decode(Words{0x3F80, 0x0000}, scaled(Type::float32, 2.0, 1.0))),
              3.0);
    EXPECT_EQ(*encode(3.0, scaled(Type::float32, 2.0, 1.0)), (Words{0x3F80, 0x0000}));
    EXPECT_EQ(std::get<double>(*decode(Words{0, 0, 0, 10}, scaled(Type::uint64, 0.5))), 5.0);
}

TEST(ScaleOffset, IntegerTypesRoundToNearest) {
    const Format format = scaled(Type::int16, 1.0);
    EXPECT_EQ(*encode(12.4, format), Words{12});
    EXPECT_EQ(*encode(12.5, format), Words{13});
    EXPECT_EQ(*encode(-12.5, format), Words{to_unsigned16(-13)});
    EXPECT_EQ(*encode(0.2, scaled(Type::uint16, 0.1)), Words{2});
}

TEST(ValueAlternatives, UnscaledIntegersStayIntegers) {
    EXPECT_TRUE(std::holds_alternative<std::int64_t>(
        *decode(Words{0xFFFF}, golden_format(Type::uint16, "ABCD"))));
    EXPECT_TRUE(std::holds_alternative<std::uint64_t>(
        *decode(Words{0, 0, 0, 1}, golden_format(Type::uint64, "ABCD"))));
    EXPECT_TRUE(std::holds_alternative<double>(*decode(Words{1}, scaled(Type::uint16, 1.0, 0.5))));
    EXPECT_TRUE(std::holds_alternative<double>(
        *decode(Words{0x3C00}, golden_format(Type::float16, "ABCD"))));
}

TEST(OutOfRange, IntegerTypes) {
    EXPECT_EQ(encode_error(std::int64_t{70000}, scaled(Type::uint16, 1.0)),
              "value 70000 is out of range for uint16 (0..65535)");
    EXPECT_EQ(encode_error(std::int64_t{-1}, scaled(Type::uint16, 1.0)),
              "value -1 is out of range for uint16 (0..65535)");
    EXPECT_EQ(encode_error(std::int64_t{-32769}, scaled(Type::int16, 1.0)),
              "value -32769 is out of range for int16 (-32768..32767)");
    EXPECT_EQ(encode_error(std::int64_t{128}, scaled(Type::int8, 1.0)),
              "value 128 is out of range for int8 (-128..127)");
    EXPECT_EQ(encode_error(std::int64_t{256}, scaled(Type::uint8, 1.0)),
              "value 256 is out of range for uint8 (0..255)");
    EXPECT_EQ(encode_error(std::int64_t{5000000000}, scaled(Type::int32, 1.0)),
              "value 5000000000 is out of range for int32 (-2147483648..2147483647)");
    EXPECT_EQ(encode_error(std::int64_t{-1}, scaled(Type::uint64, 1.0)),
              "value -1 is out of range for uint64 (0..18446744073709551615)");
    EXPECT_EQ(encode_error(std::numeric_limits<std::uint64_t>::max(), scaled(Type::int64, 1.0)),
              "value 18446744073709551615 is out of range for int64 "
              "(-9223372036854775808..9223372036854775807)");
    EXPECT_EQ(encode_error(std::int64_t{10000}, scaled(Type::bcd, 1.0)),
              "value 10000 is out of range for bcd (0..9999)");
    EXPECT_EQ(encode_error(70000.0, scaled(Type::uint16, 1.0)),
              "value 70000 is out of range for uint16 (0..65535)");
}

TEST(OutOfRange, NamesTheRawValueWhenScaled) {
    EXPECT_EQ(
        encode_error(7000.0, scaled(Type::uint16, 0.1)),
        "value 7000 (raw 70000 after scale and offset) is out of range for uint16 (0..65535)");
}

TEST(OutOfRange, SixtyFourBitLimitsThroughDouble) {
    EXPECT_EQ(*encode(18446744073709549568.0, scaled(Type::uint64, 1.0)),
              (Words{0xFFFF, 0xFFFF, 0xFFFF, 0xF800}));
    EXPECT_NE(encode_error(18446744073709551616.0, scaled(Type::uint64, 1.0)), "no error");
    EXPECT_NE(encode_error(9223372036854775808.0, scaled(Type::int64, 1.0)), "no error");
    EXPECT_EQ(*encode(-9223372036854775808.0, scaled(Type::int64, 1.0)),
              (Words{0x8000, 0x0000, 0x0000, 0x0000}));
}

TEST(OutOfRange, FloatTypes) {
    EXPECT_EQ(encode_error(70000.0, golden_format(Type::float16, "ABCD")),
              "value 70000 is out of range for float16 (largest magnitude 65504)");
    EXPECT_EQ(*encode(65519.0, golden_format(Type::float16, "ABCD")), Words{0x7BFF});
    EXPECT_EQ(encode_error(-1e39, golden_format(Type::float32, "ABCD")),
              "value -1e+39 is out of range for float32 (largest magnitude 3.4028235e+38)");
    EXPECT_EQ(*encode(1e300, golden_format(Type::float64, "ABCD")),
              (Words{0x7E37, 0xE43C, 0x8800, 0x759C}));
}

TEST(NonFinite, RefusedForIntegerTypes) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(encode_error(nan, scaled(Type::int16, 1.0)),
              "value nan cannot be encoded as int16 (not a finite number)");
    EXPECT_EQ(encode_error(-inf, scaled(Type::uint32, 1.0)),
              "value -inf cannot be encoded as uint32 (not a finite number)");
}

// NaN with its payload, infinities and -0 come back bit for bit through Value.
TEST(NonFinite, KeptBitForBitByFloatTypes) {
    const std::vector<std::pair<Format, Words>> cases = {
        {golden_format(Type::float32, "ABCD"), {0x7FC0, 0x0001}},
        {golden_format(Type::float32, "DCBA"), {0x0100, 0xC0FF}},  // negative NaN, DCBA
        {golden_format(Type::float32, "ABCD"), {0x7F80, 0x0001}},  // signalling NaN
        {golden_format(Type::float32, "CDAB"), {0x0000, 0xFF80}},  // -inf
        {golden_format(Type::float32, "ABCD"), {0x8000, 0x0000}},  // -0
        {golden_format(Type::float64, "ABCD"), {0x7FF8, 0x0000, 0x0000, 0x0042}},
        {golden_format(Type::float64, "CDAB"), {0x0000, 0x0000, 0x0000, 0xFFF0}},  // -inf
        {golden_format(Type::float16, "ABCD"), {0x7E01}},
        {golden_format(Type::float16, "BADC"), {0x01FE}},
        {golden_format(Type::float16, "ABCD"), {0x7C00}},
    };
    for (const auto& [format, regs] : cases) {
        const auto value = decode(regs, format);
        ASSERT_TRUE(value);
        const auto back = encode(*value, format);
        ASSERT_TRUE(back) << back.error();
        EXPECT_EQ(*back, regs) << format_value(*value);
    }
    EXPECT_TRUE(std::isnan(
        std::get<double>(*decode(Words{0x7FC0, 0x0001}, golden_format(Type::float32, "ABCD")))));
}

TEST(TooFewRegisters, IsAnError) {
    EXPECT_EQ(decode_error(Words{0x47F1}, golden_format(Type::float32, "ABCD")),
              "float32 needs 2 registers, got 1");
    EXPECT_EQ(decode_error(Words{1, 2, 3}, golden_format(Type::int64, "ABCD")),
              "int64 needs 4 registers, got 3");
    EXPECT_EQ(decode_error(Words{}, golden_format(Type::boolean, "ABCD")),
              "bool needs 1 registers, got 0");
    EXPECT_EQ(decode_error(Words{0x4142}, test::golden_string("ABCD", 4)),
              "string needs 4 registers, got 1");
    EXPECT_EQ(decode_error(Words{0x4142}, test::golden_string("ABCD", 0)),
              "string needs a length of at least 1 register");
}

TEST(Bcd, InvalidNibbleIsAnError) {
    EXPECT_EQ(decode_error(Words{0x12A4}, golden_format(Type::bcd, "ABCD")),
              "register value 0x12A4 is not valid BCD (a digit above 9, type bcd)");
    EXPECT_EQ(decode_error(Words{0x1234, 0x567F}, golden_format(Type::bcd32, "ABCD")),
              "register value 0x1234567F is not valid BCD (a digit above 9, type bcd32)");
    EXPECT_EQ(std::get<std::int64_t>(*decode(Words{0x9999}, golden_format(Type::bcd, "ABCD"))),
              9999);
}

TEST(Strings, TrailingNulsAndSpacesTrimmed) {
    const Format format = test::golden_string("ABCD", 3);
    EXPECT_EQ(std::get<std::string>(*decode(Words{0x4142, 0x2000, 0x2020}, format)), "AB");
    EXPECT_EQ(std::get<std::string>(*decode(Words{0x2041, 0x0000, 0x0000}, format)), " A");
    EXPECT_EQ(std::get<std::string>(*decode(Words{0x0000, 0x0000, 0x0000}, format)), "");
    EXPECT_EQ(std::get<std::string>(*decode(Words{0x4100, 0x4200, 0x0000}, format)),
              std::string("A\0B", 3));
}

TEST(Strings, EncodeLimitsAndTypes) {
    const Format format = test::golden_string("ABCD", 2);
    EXPECT_EQ(*encode(std::string("ABC"), format), (Words{0x4142, 0x4300}));
    EXPECT_EQ(*encode(std::string(""), format), (Words{0x0000, 0x0000}));
    EXPECT_EQ(encode_error(std::string("ABCDE"), format),
              "string \"ABCDE\" has 5 characters, more than the 4 that fit in 2 registers");
    EXPECT_EQ(encode_error(std::int64_t{1}, format), "value 1 is not a string (type string)");
    EXPECT_EQ(encode_error(std::string("12"), golden_format(Type::int16, "ABCD")),
              "string \"12\" is not a number (type int16)");
}

TEST(Bools, RegisterTruthAndEncoding) {
    const Format format = golden_format(Type::boolean, "ABCD");
    EXPECT_EQ(*decode(Words{0x0100}, format), Value{true});
    EXPECT_EQ(*encode(std::int64_t{0}, format), Words{0});
    EXPECT_EQ(*encode(1.0, format), Words{1});
    EXPECT_EQ(encode_error(std::int64_t{5}, format), "value 5 is not a bool (expected 0 or 1)");
    EXPECT_EQ(*encode(true, golden_format(Type::int16, "ABCD")), Words{1});
    EXPECT_EQ(*encode(true, golden_format(Type::bcd, "ABCD")), Words{1});
    EXPECT_EQ(encode_error(true, golden_format(Type::float32, "ABCD")),
              "value true is a bool, not a number (type float32)");
}

TEST(Encode, RefusesUnusableInput) {
    EXPECT_EQ(encode_error(Value{}, golden_format(Type::int16, "ABCD")),
              "no value to encode (type int16)");
    EXPECT_EQ(encode_error(1.0, scaled(Type::int16, 0.0)),
              "scale must be a finite, non-zero number");
}

TEST(Encode, EightBitTypesUseOneByte) {
    Format format = test::golden_byte(Type::int8, RegisterByte::high);
    EXPECT_EQ(*encode(std::int64_t{-2}, format), Words{0xFE00});
    format.byte = RegisterByte::low;
    EXPECT_EQ(*encode(std::int64_t{-2}, format), Words{0x00FE});
    // Byte order does not move a single byte around.
    format.byte_order = ByteOrder::little;
    EXPECT_EQ(*encode(std::int64_t{-2}, format), Words{0x00FE});
    EXPECT_EQ(std::get<std::int64_t>(*decode(Words{0x12FE}, format)), -2);
}

TEST(EncodeRaw, BitsOfTheType) {
    EXPECT_EQ(*encode_raw(0xFFFF, golden_format(Type::int16, "ABCD")), Words{0xFFFF});
    EXPECT_EQ(*encode_raw(0x7FC00000, golden_format(Type::float32, "CDAB")),
              (Words{0x0000, 0x7FC0}));
    EXPECT_EQ(*encode_raw(0xFF, test::golden_byte(Type::uint8, RegisterByte::high)), Words{0xFF00});
    EXPECT_EQ(*encode_raw(0x1234, golden_format(Type::bcd, "BADC")), Words{0x3412});
    EXPECT_EQ(encode_raw(0x10000, golden_format(Type::int16, "ABCD")).error(),
              "raw value 0x10000 does not fit in int16 (16 bits)");
    EXPECT_EQ(encode_raw(0x100, golden_format(Type::int8, "ABCD")).error(),
              "raw value 0x100 does not fit in int8 (8 bits)");
    EXPECT_EQ(encode_raw(0x12A4, golden_format(Type::bcd, "ABCD")).error(),
              "register value 0x12A4 is not valid BCD (a digit above 9, type bcd)");
    EXPECT_EQ(encode_raw(0x41, test::golden_string("ABCD", 1)).error(),
              "raw values are not defined for type string");
}

}  // namespace
}  // namespace regpoll::codec
