#include "codec/value.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace regpoll::codec {
namespace {

TEST(FormatValue, IntegersExactly) {
    EXPECT_EQ(format_value(std::int64_t{-1234}), "-1234");
    EXPECT_EQ(format_value(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(format_value(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(FormatValue, DoublesShortestRoundTrip) {
    EXPECT_EQ(format_value(0.1), "0.1");
    EXPECT_EQ(format_value(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(format_value(55.5), "55.5");
    EXPECT_EQ(format_value(123456.0), "123456");
    EXPECT_EQ(format_value(static_cast<double>(0.3F)), "0.30000001192092896");
    EXPECT_EQ(format_value(1e20), "1e+20");
    EXPECT_EQ(format_value(-0.0), "-0");
    for (double d : {0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, -123456.789}) {
        const std::string text = format_value(d);
        double back = 0;
        std::from_chars(text.data(), text.data() + text.size(), back);
        EXPECT_EQ(back, d) << text;
    }
}

TEST(FormatValue, NonFiniteDoubles) {
    EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "nan");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::quiet_NaN()), "nan");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(FormatValue, OtherAlternatives) {
    EXPECT_EQ(format_value(Value{}), "n/a");
    EXPECT_EQ(format_value(true), "true");
    EXPECT_EQ(format_value(false), "false");
    EXPECT_EQ(format_value(std::string("SDM630")), "SDM630");
}

TEST(ValueHelpers, ToDoubleAndAvailability) {
    EXPECT_FALSE(is_available(Value{}));
    EXPECT_TRUE(is_available(false));
    EXPECT_EQ(to_double(true), 1.0);
    EXPECT_EQ(to_double(std::int64_t{-7}), -7.0);
    EXPECT_EQ(to_double(std::uint64_t{7}), 7.0);
    EXPECT_EQ(to_double(2.5), 2.5);
    EXPECT_FALSE(to_double(std::string("1")));
    EXPECT_FALSE(to_double(Value{}));
}

}  // namespace
}  // namespace regpoll::codec
