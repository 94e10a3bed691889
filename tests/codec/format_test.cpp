#include "codec/format.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace regpoll::codec {
namespace {

TEST(RegisterCount, OfAFormat) {
    Format format;
    format.type = Type::string;
    format.length = 5;
    EXPECT_EQ(register_count(format), 5U);
}

TEST(FormatCheck, Problems) {
    Format format;
    EXPECT_FALSE(check_format(format));
    format.scale = 0.0;
    EXPECT_EQ(check_format(format), "scale must be a finite, non-zero number");
    format.scale = 0.1;
    format.offset = std::numeric_limits<double>::infinity();
    EXPECT_EQ(check_format(format), "offset must be a finite number");
    Format text;
    text.type = Type::string;
    EXPECT_EQ(check_format(text), "string needs a length of at least 1 register");
    text.length = 1;
    EXPECT_FALSE(check_format(text));
}

TEST(Format, DefaultsAreUnscaledUint16BigEndian) {
    const Format format;
    EXPECT_EQ(format.type, Type::uint16);
    EXPECT_EQ(format.byte_order, ByteOrder::big);
    EXPECT_EQ(format.word_order, WordOrder::big);
    EXPECT_TRUE(format.is_unscaled());
}

}  // namespace
}  // namespace regpoll::codec
