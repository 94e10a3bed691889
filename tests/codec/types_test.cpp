#include "codec/types.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace regpoll::codec {
namespace {

TEST(TypeNames, EveryNameParsesBackToItsType) {
    const auto names = type_names();
    ASSERT_EQ(names.size(), 15U);
    for (std::string_view name : names) {
        const auto type = parse_type(name);
        ASSERT_TRUE(type.has_value()) << name;
        EXPECT_EQ(type_name(*type), name);
    }
}

TEST(TypeNames, ExactSpellings) {
    EXPECT_EQ(parse_type("bool"), Type::boolean);
    EXPECT_EQ(parse_type("uint8"), Type::uint8);
    EXPECT_EQ(parse_type("float16"), Type::float16);
    EXPECT_EQ(parse_type("string"), Type::string);
    EXPECT_EQ(parse_type("bcd32"), Type::bcd32);
    EXPECT_EQ(type_name(Type::boolean), "bool");
    EXPECT_EQ(type_name(Type::float64), "float64");
}

TEST(TypeNames, UnknownOrMisspelledIsNothing) {
    EXPECT_FALSE(parse_type("flaot32"));
    EXPECT_FALSE(parse_type("Float32"));  // names are exact, as in the profiles
    EXPECT_FALSE(parse_type(""));
    EXPECT_FALSE(parse_type("int16 "));
}

TEST(RegisterCount, ByType) {
    EXPECT_EQ(register_count(Type::boolean, 0), 1U);
    EXPECT_EQ(register_count(Type::int8, 0), 1U);
    EXPECT_EQ(register_count(Type::uint16, 0), 1U);
    EXPECT_EQ(register_count(Type::float16, 0), 1U);
    EXPECT_EQ(register_count(Type::bcd, 0), 1U);
    EXPECT_EQ(register_count(Type::int32, 0), 2U);
    EXPECT_EQ(register_count(Type::float32, 0), 2U);
    EXPECT_EQ(register_count(Type::bcd32, 0), 2U);
    EXPECT_EQ(register_count(Type::uint64, 0), 4U);
    EXPECT_EQ(register_count(Type::float64, 0), 4U);
    EXPECT_EQ(register_count(Type::string, 8), 8U);
    EXPECT_EQ(register_count(Type::int32, 8), 2U);  // the length only matters for strings
}

TEST(TypeClasses, IntegerAndFloat) {
    EXPECT_TRUE(is_integer_type(Type::int8));
    EXPECT_TRUE(is_integer_type(Type::uint64));
    EXPECT_TRUE(is_integer_type(Type::bcd32));
    EXPECT_FALSE(is_integer_type(Type::boolean));
    EXPECT_FALSE(is_integer_type(Type::float16));
    EXPECT_FALSE(is_integer_type(Type::string));
    EXPECT_TRUE(is_float_type(Type::float16));
    EXPECT_TRUE(is_float_type(Type::float64));
    EXPECT_FALSE(is_float_type(Type::int32));
}

TEST(Order, FourLetterNames) {
    EXPECT_EQ(parse_order("ABCD"), (Order{ByteOrder::big, WordOrder::big}));
    EXPECT_EQ(parse_order("BADC"), (Order{ByteOrder::little, WordOrder::big}));
    EXPECT_EQ(parse_order("CDAB"), (Order{ByteOrder::big, WordOrder::little}));
    EXPECT_EQ(parse_order("DCBA"), (Order{ByteOrder::little, WordOrder::little}));
}

TEST(Order, EightLetterNames) {
    EXPECT_EQ(parse_order("ABCDEFGH"), (Order{ByteOrder::big, WordOrder::big}));
    EXPECT_EQ(parse_order("BADCFEHG"), (Order{ByteOrder::little, WordOrder::big}));
    EXPECT_EQ(parse_order("GHEFCDAB"), (Order{ByteOrder::big, WordOrder::little}));
    EXPECT_EQ(parse_order("HGFEDCBA"), (Order{ByteOrder::little, WordOrder::little}));
}

TEST(Order, CaseInsensitive) {
    EXPECT_EQ(parse_order("cdab"), (Order{ByteOrder::big, WordOrder::little}));
    EXPECT_EQ(parse_order("HgFeDcBa"), (Order{ByteOrder::little, WordOrder::little}));
}

TEST(Order, RejectsOtherPermutations) {
    EXPECT_FALSE(parse_order("ACBD"));
    EXPECT_FALSE(parse_order("ABC"));
    EXPECT_FALSE(parse_order("ABCDEFG"));
    EXPECT_FALSE(parse_order(""));
    EXPECT_FALSE(parse_order("big"));
}

TEST(Order, NamesRoundTrip) {
    for (std::string_view name : {"ABCD", "BADC", "CDAB", "DCBA"}) {
        EXPECT_EQ(order_name(*parse_order(name)), name);
    }
    for (std::string_view name : {"ABCDEFGH", "BADCFEHG", "GHEFCDAB", "HGFEDCBA"}) {
        EXPECT_EQ(order_name(*parse_order(name), 4), name);
    }
    EXPECT_EQ(order_name(Order{ByteOrder::little, WordOrder::big}, 1), "BADC");
}

TEST(Order, SeparateSettings) {
    EXPECT_EQ(parse_byte_order("little"), ByteOrder::little);
    EXPECT_EQ(parse_byte_order("BIG"), ByteOrder::big);
    EXPECT_FALSE(parse_byte_order("middle"));
    EXPECT_EQ(parse_word_order("little"), WordOrder::little);
    EXPECT_EQ(parse_word_order("big"), WordOrder::big);
    EXPECT_EQ(parse_register_byte("High"), RegisterByte::high);
    EXPECT_EQ(parse_register_byte("low"), RegisterByte::low);
    EXPECT_FALSE(parse_register_byte("upper"));
    EXPECT_EQ(byte_order_name(ByteOrder::little), "little");
    EXPECT_EQ(word_order_name(WordOrder::big), "big");
    EXPECT_EQ(register_byte_name(RegisterByte::high), "high");
}

}  // namespace
}  // namespace regpoll::codec
