#include "codec/ieee754.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace regpoll::codec {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// pyModbusTCP documentation: decode_ieee(0x3e99999a) is 0.3 as a single, and
// encode_ieee(0.3) gives 0x3e99999a back.
TEST(PyModbusTcpDocs, DecodeEncodeIeee) {
    EXPECT_NEAR(decode_float32(0x3e99999a), 0.3, 1e-7);
    EXPECT_EQ(decode_float32(0x3e99999a), static_cast<double>(0.3F));
    EXPECT_EQ(encode_float32(0.3), 0x3e99999aU);
    EXPECT_EQ(encode_float64(0.3), 0x3FD3333333333333U);
    EXPECT_EQ(decode_float64(0x3FD3333333333333), 0.3);
}

TEST(Float16, KnownValues) {
    EXPECT_EQ(decode_float16(0x3C00), 1.0);
    EXPECT_EQ(decode_float16(0xC000), -2.0);
    EXPECT_EQ(decode_float16(0x7BFF), 65504.0);
    EXPECT_EQ(decode_float16(0x0001), 0x1p-24);         // smallest subnormal
    EXPECT_EQ(decode_float16(0x03FF), 1023 * 0x1p-24);  // largest subnormal
    EXPECT_EQ(decode_float16(0x0400), 0x1p-14);         // smallest normal
    EXPECT_EQ(decode_float16(0x3555), 0.333251953125);
    EXPECT_EQ(encode_float16(1.0), 0x3C00);
    EXPECT_EQ(encode_float16(-2.0), 0xC000);
    EXPECT_EQ(encode_float16(65504.0), 0x7BFF);
    EXPECT_EQ(encode_float16(0x1p-24), 0x0001);
    EXPECT_EQ(encode_float16(1.0 / 3.0), 0x3555);
}

TEST(Float16, ZerosAndInfinities) {
    EXPECT_EQ(encode_float16(0.0), 0x0000);
    EXPECT_EQ(encode_float16(-0.0), 0x8000);
    EXPECT_TRUE(std::signbit(decode_float16(0x8000)));
    EXPECT_EQ(decode_float16(0x8000), 0.0);
    EXPECT_EQ(decode_float16(0x7C00), inf);
    EXPECT_EQ(decode_float16(0xFC00), -inf);
    EXPECT_EQ(encode_float16(inf), 0x7C00);
    EXPECT_EQ(encode_float16(-inf), 0xFC00);
}

TEST(Float16, RoundsToNearestEven) {
    EXPECT_EQ(encode_float16(1.0 + 0x1p-11), 0x3C00);      // tie, down to even
    EXPECT_EQ(encode_float16(1.0 + 3 * 0x1p-11), 0x3C02);  // tie, up to even
    EXPECT_EQ(encode_float16(1.0 + 0x1p-11 + 0x1p-20), 0x3C01);
    EXPECT_EQ(encode_float16(65519.0), 0x7BFF);
    EXPECT_EQ(encode_float16(65520.0), 0x7C00);  // rounds past the largest finite half
    EXPECT_EQ(encode_float16(1e6), 0x7C00);
    EXPECT_EQ(encode_float16(-1e6), 0xFC00);
    EXPECT_EQ(encode_float16(0x1p-25), 0x0000);        // half the smallest subnormal: tie to 0
    EXPECT_EQ(encode_float16(1.5 * 0x1p-24), 0x0002);  // tie, up to even
    EXPECT_EQ(encode_float16(0x1p-25 + 0x1p-40), 0x0001);
    EXPECT_EQ(encode_float16(1e-30), 0x0000);
    EXPECT_EQ(encode_float16(-1e-30), 0x8000);
    EXPECT_EQ(encode_float16(1023.5 * 0x1p-24), 0x0400);  // carry into the smallest normal
    EXPECT_EQ(encode_float16(std::numeric_limits<double>::denorm_min()), 0x0000);
}

// Every one of the 65536 patterns, NaNs with their payload and sign included, survives
// decode then encode.
TEST(Float16, EveryPatternRoundTrips) {
    for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
        const auto half = static_cast<std::uint16_t>(bits);
        ASSERT_EQ(encode_float16(decode_float16(half)), half) << std::hex << bits;
    }
}

TEST(Float16, NanFromADoubleWithOnlyLowPayloadBitsStaysNan) {
    EXPECT_EQ(encode_float16(std::bit_cast<double>(0x7FF0000000000001ULL)), 0x7E00);
    EXPECT_EQ(encode_float16(std::numeric_limits<double>::quiet_NaN()), 0x7E00);
    EXPECT_EQ(encode_float16(-std::numeric_limits<double>::quiet_NaN()), 0xFE00);
}

TEST(Float32, NanPayloadSignAndSignallingBitSurvive) {
    for (std::uint32_t bits : {0x7FC00000U, 0x7FC00001U, 0xFFC12345U, 0x7F800001U, 0xFFBFFFFFU}) {
        const double value = decode_float32(bits);
        EXPECT_TRUE(std::isnan(value));
        EXPECT_EQ(encode_float32(value), bits) << std::hex << bits;
    }
    EXPECT_EQ(encode_float32(std::bit_cast<double>(0x7FF0000000000001ULL)), 0x7FC00000U);
}

TEST(Float32, ZerosInfinitiesAndRange) {
    EXPECT_EQ(encode_float32(-0.0), 0x80000000U);
    EXPECT_TRUE(std::signbit(decode_float32(0x80000000)));
    EXPECT_EQ(decode_float32(0x7F800000), inf);
    EXPECT_EQ(decode_float32(0xFF800000), -inf);
    EXPECT_EQ(encode_float32(-inf), 0xFF800000U);
    EXPECT_EQ(encode_float32(3.4028234663852886e38), 0x7F7FFFFFU);  // FLT_MAX
    EXPECT_EQ(encode_float32(1e39), 0x7F800000U);
    EXPECT_EQ(encode_float32(-1e300), 0xFF800000U);
    EXPECT_EQ(encode_float32(0x1p-149), 0x00000001U);  // smallest subnormal
}

// A spread of patterns over the whole 32-bit space, NaNs included.
TEST(Float32, SampledPatternsRoundTrip) {
    for (std::uint64_t bits = 0; bits <= 0xFFFFFFFF; bits += 65521) {
        const auto pattern = static_cast<std::uint32_t>(bits);
        ASSERT_EQ(encode_float32(decode_float32(pattern)), pattern) << std::hex << pattern;
    }
}

TEST(Float64, BitsPassThrough) {
    for (std::uint64_t bits : {0x7FF0000000000001ULL, 0xFFF8000000000123ULL, 0x8000000000000000ULL,
                               0x40FE240C9FBE76C9ULL}) {
        EXPECT_EQ(encode_float64(decode_float64(bits)), bits);
    }
    EXPECT_EQ(decode_float64(0x40FE240C9FBE76C9), 123456.789);
}

}  // namespace
}  // namespace regpoll::codec
