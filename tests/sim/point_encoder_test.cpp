// The encoder against the poller's decoder: every type, order, scale and offset, the
// scale register's exponent, bits, bytes, texts, maps and sentinels. Registers are also
// checked against the shared golden vectors, worked out independently of both.
#include <gtest/gtest.h>

#include <cmath>

#include "codec/golden_vectors.hpp"
#include "poll/point_decoder.hpp"
#include "sim/point_encoder.hpp"
#include "sim_test_support.hpp"

namespace regpoll::sim {
namespace {

using codec::Type;
using test::point;
using Registers = std::vector<std::uint16_t>;

codec::Value decoded(const profile::Point& p, const Registers& regs,
                     std::optional<std::int64_t> exponent = {}) {
    poll::Quality quality;
    std::string error;
    auto v = poll::decode_point(p, regs, exponent, quality, error);
    EXPECT_EQ(error, "") << p.name;
    return v;
}

TEST(PointEncoder, MatchesTheGoldenVectors) {
    for (const auto& g : codec::test::golden_vectors()) {
        auto p = point(std::string(g.name), 0);
        p.format = g.format;
        auto encoded = encode_point(p, g.value);
        ASSERT_TRUE(encoded) << g.name << ": " << encoded.error();
        EXPECT_EQ(encoded->registers, g.registers) << g.name;
        EXPECT_EQ(encoded->intended, g.value) << g.name;
    }
}

// Whether a raw value fits the type, so the encoder does not have to clamp it.
bool in_range(Type type, double raw) {
    const double r = std::round(raw);
    switch (type) {
        case Type::int8:
            return r >= -128 && r <= 127;
        case Type::uint8:
            return r >= 0 && r <= 255;
        case Type::int16:
            return r >= -32768 && r <= 32767;
        case Type::uint16:
            return r >= 0 && r <= 65535;
        case Type::int32:
            return r >= -2147483648.0 && r <= 2147483647.0;
        case Type::uint32:
            return r >= 0 && r <= 4294967295.0;
        case Type::uint64:
            return r >= 0;
        case Type::bcd:
            return r >= 0 && r <= 9999;
        case Type::bcd32:
            return r >= 0 && r <= 99999999;
        case Type::float16:
            return std::fabs(raw) <= 65504;
        default:
            return true;
    }
}

// Half a step of the encoding, in engineering units.
double tolerance(Type type, double raw, double scale) {
    double half_step = 0.5;  // integers: half a raw unit
    if (type == Type::float16) half_step = std::fabs(raw) * 0x1p-11;
    if (type == Type::float32) half_step = std::fabs(raw) * 0x1p-24;
    if (type == Type::float64) half_step = std::fabs(raw) * 0x1p-53;
    return half_step * std::fabs(scale) + 1e-9;
}

// |intended - wanted| is at most half a step of the encoding (integers), or the float
// width's rounding; the decoder returns exactly the intended value.
TEST(PointEncoder, RoundTripsThroughThePollersDecoderForEveryTypeOrderScaleAndOffset) {
    const std::vector<Type> types{Type::int16,   Type::uint16, Type::int32,   Type::uint32,
                                  Type::int64,   Type::uint64, Type::float16, Type::float32,
                                  Type::float64, Type::bcd,    Type::bcd32,   Type::int8,
                                  Type::uint8};
    const std::vector<std::pair<double, double>> scalings{
        {1, 0}, {0.1, 0}, {0.01, -40}, {2, 5}, {-0.5, 0}};
    const std::vector<double> values{0, 1, 12.345, 99.5, -7.25, 4321.0};
    for (Type type : types) {
        for (const char* order : {"ABCD", "BADC", "CDAB", "DCBA"}) {
            for (const auto& [scale, offset] : scalings) {
                for (double value : values) {
                    auto p = point("p", 0, type);
                    p.format.byte_order = codec::test::golden_format(type, order).byte_order;
                    p.format.word_order = codec::test::golden_format(type, order).word_order;
                    p.format.scale = scale;
                    p.format.offset = offset;
                    const std::string what = std::string(codec::type_name(type)) + " " + order +
                                             " scale " + std::to_string(scale) + " offset " +
                                             std::to_string(offset) + " value " +
                                             std::to_string(value);
                    auto encoded = encode_point(p, value);
                    ASSERT_TRUE(encoded) << what << ": " << encoded.error();
                    ASSERT_EQ(encoded->registers.size(), p.width()) << what;
                    EXPECT_EQ(decoded(p, encoded->registers), encoded->intended) << what;
                    const double got = *codec::to_double(encoded->intended);
                    const double raw = (value - offset) / scale;
                    if (in_range(type, raw)) {
                        EXPECT_NEAR(got, value, tolerance(type, raw, scale)) << what;
                    }
                }
            }
        }
    }
}

TEST(PointEncoder, ClampsToTheTypesRange) {
    auto p = point("p", 0, Type::int16);
    EXPECT_EQ(encode_point(p, 1e6)->intended, codec::Value(std::int64_t{32767}));
    EXPECT_EQ(encode_point(p, -1e6)->intended, codec::Value(std::int64_t{-32768}));
    p.format.type = Type::uint16;
    p.format.scale = 0.1;
    EXPECT_EQ(encode_point(p, -3.0)->registers, Registers{0});
    EXPECT_EQ(encode_point(p, 7000.0)->registers, Registers{65535});
}

TEST(PointEncoder, ScaleRegisterExponentIsTheInverseOfThePollers) {
    auto p = point("current", 0, Type::uint16);
    p.scale_register = "a_sf";
    auto encoded = encode_point(p, 5.123, -2);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->registers, Registers{512});
    EXPECT_EQ(decoded(p, encoded->registers, -2), encoded->intended);
    EXPECT_NEAR(*codec::to_double(encoded->intended), 5.12, 1e-12);
    // with scale and offset as well: ((raw * scale) + offset) * 10^e
    p.format.scale = 0.5;
    p.format.offset = 10;
    encoded = encode_point(p, 4200.0, 2);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->registers, Registers{64});  // (42 - 10) / 0.5
    EXPECT_EQ(decoded(p, encoded->registers, 2), encoded->intended);
    EXPECT_TRUE(fits_with_exponent(p, 4200.0, 2));
    EXPECT_FALSE(fits_with_exponent(p, 4200.0, -2));  // raw 839980 > 65535
}

TEST(PointEncoder, BitPointsOwnOneBit) {
    auto p = point("di3", 48, Type::uint16);
    p.bit = 3;
    auto on = encode_point(p, true);
    ASSERT_TRUE(on);
    EXPECT_EQ(on->mask, 0x0008);
    EXPECT_EQ(on->registers, Registers{0x0008});
    EXPECT_EQ(on->intended, codec::Value(true));
    EXPECT_EQ(decoded(p, Registers{0xFFF7}), codec::Value(false));
    EXPECT_EQ(encode_point(p, false)->registers, Registers{0});
}

TEST(PointEncoder, BytesOwnTheirHalfOfTheRegister) {
    auto high = point("mppt_count", 44, Type::uint8);
    high.format.byte = codec::RegisterByte::high;
    auto encoded = encode_point(high, std::int64_t{2});
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->mask, 0xFF00);
    EXPECT_EQ(encoded->registers, Registers{0x0200});
    auto low = point("grid_phases", 44, Type::uint8);
    EXPECT_EQ(encode_point(low, std::int64_t{1})->mask, 0x00FF);
}

// SolaX G4 keeps a SOC in the high byte and an enable flag (a map) in the low byte of one
// register: the mapped byte, and a byte written as "not available", leave the other half alone.
TEST(PointEncoder, MappedAndUnavailableBytesOwnTheirHalfToo) {
    auto flag = point("night_charge_enable", 0x93, Type::uint8);
    flag.format.byte = codec::RegisterByte::low;
    flag.map = {{0, "disabled"}, {1, "enabled"}};
    auto encoded = encode_point(flag, std::string("enabled"));
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->mask, 0x00FF);
    EXPECT_EQ(encoded->intended, codec::Value(std::string("enabled")));
    auto high = point("min_soc", 0x93, Type::uint8);
    high.format.byte = codec::RegisterByte::high;
    high.nan = {0xFF};
    auto gone = encode_point(high, codec::Value(std::monostate{}));
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->mask, 0xFF00);
}

TEST(PointEncoder, TextsAreCutToTheirRegistersAndLoseTrailingBlanks) {
    auto p = point("model", 0, Type::string);
    p.format.length = 3;
    auto encoded = encode_point(p, std::string("SUN2000-5KTL"));
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->intended, codec::Value(std::string("SUN200")));
    EXPECT_EQ(decoded(p, encoded->registers), encoded->intended);
    encoded = encode_point(p, std::string("AB  "));
    EXPECT_EQ(encoded->intended, codec::Value(std::string("AB")));
    EXPECT_EQ(decoded(p, encoded->registers), encoded->intended);
}

TEST(PointEncoder, MappedPointsTakeKeysOrTexts) {
    auto p = point("status", 0);
    p.map = {{0, "waiting"}, {1, "normal"}, {3, "fault"}};
    auto by_text = encode_point(p, std::string("normal"));
    ASSERT_TRUE(by_text);
    EXPECT_EQ(by_text->registers, Registers{1});
    EXPECT_EQ(by_text->intended, codec::Value(std::string("normal")));
    auto by_key = encode_point(p, std::int64_t{3});
    EXPECT_EQ(by_key->intended, codec::Value(std::string("fault")));
    EXPECT_EQ(decoded(p, by_key->registers), by_key->intended);
    EXPECT_EQ(encode_point(p, std::int64_t{7})->intended,
              codec::Value(std::string("7")));  // as the poller shows it
    auto unknown = encode_point(p, std::string("sleeping"));
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().find("\"waiting\", \"normal\", \"fault\""), std::string::npos)
        << unknown.error();
}

// Sungrow's power-flow word (13001) is a bitfield: the simulator means, and the poller reads,
// the names of the set bits, whether it was given a number or the names.
TEST(PointEncoder, BitfieldsIntendTheNamesOfTheSetBits) {
    auto p = point("power_flow_status", 13000, Type::uint16);
    p.bits = {{0, "pv_generating"}, {1, "battery_charging"}, {4, "feeding_in"}};
    auto by_number = encode_point(p, std::int64_t{0x13});
    ASSERT_TRUE(by_number);
    EXPECT_EQ(by_number->registers, Registers{0x13});
    EXPECT_EQ(by_number->intended, codec::Value(std::string("pv_generating,battery_charging,feeding_in")));
    EXPECT_EQ(decoded(p, by_number->registers), by_number->intended);
    auto by_names = encode_point(p, std::string("pv_generating,feeding_in"));
    ASSERT_TRUE(by_names);
    EXPECT_EQ(by_names->registers, Registers{0x11});
    EXPECT_EQ(decoded(p, by_names->registers), by_names->intended);
    EXPECT_EQ(encode_point(p, std::int64_t{0})->intended, codec::Value(std::string()));
    EXPECT_FALSE(encode_point(p, std::string("sleeping")));
}

TEST(PointEncoder, NeverProducesANanSentinelByAccident) {
    auto p = point("current", 0, Type::uint16);
    p.nan = {0xFFFF};
    auto encoded = encode_point(p, 1e9);  // clamps to 65535, the sentinel
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->registers, Registers{0xFFFE});
    EXPECT_EQ(encoded->intended, codec::Value(std::int64_t{65534}));
    auto energy = point("energy", 0, Type::uint32);
    energy.nan = {0};
    encoded = encode_point(energy, 0.2);
    EXPECT_EQ(encoded->registers, (Registers{0, 1}));
    auto power = point("ac_power", 0, Type::int32);
    power.nan = {0x80000000, 0x7FFFFFFF};
    encoded = encode_point(power, -1e12);
    EXPECT_EQ(encoded->intended, codec::Value(std::int64_t{-2147483647}));
    poll::Quality quality;
    std::string error;
    poll::decode_point(power, encoded->registers, std::nullopt, quality, error);
    EXPECT_EQ(quality, poll::Quality::good);
}

TEST(PointEncoder, NotAvailableWritesTheFirstSentinel) {
    auto p = point("power", 0, Type::int32);
    p.nan = {0x80000000};
    auto encoded = encode_point(p, std::monostate{});
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->registers, (Registers{0x8000, 0x0000}));
    EXPECT_FALSE(codec::is_available(encoded->intended));
    poll::Quality quality;
    std::string error;
    poll::decode_point(p, encoded->registers, std::nullopt, quality, error);
    EXPECT_EQ(quality, poll::Quality::unavailable);
    EXPECT_FALSE(encode_point(point("plain", 0), std::monostate{}));  // no sentinel to write
}

TEST(PointEncoder, CoilsAreBoolsOrTheirMapTexts) {
    auto p = point("relay", 5);
    p.kind = modbus::RegisterKind::coil;
    p.format.type = Type::boolean;
    auto encoded = encode_point(p, std::int64_t{1});
    ASSERT_TRUE(encoded);
    EXPECT_TRUE(encoded->registers.empty());
    EXPECT_TRUE(encoded->bit);
    EXPECT_EQ(encoded->intended, codec::Value(true));
    p.map = {{0, "off"}, {1, "on"}};  // the poller reports a mapped coil's text, as for a bit of a register
    encoded = encode_point(p, std::int64_t{1});
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->intended, codec::Value(std::string("on")));
    encoded = encode_point(p, std::string("off"));
    ASSERT_TRUE(encoded);
    EXPECT_FALSE(encoded->bit);
    EXPECT_EQ(encoded->intended, codec::Value(std::string("off")));
}

TEST(PointEncoder, RefusesTextsForNumbers) {
    auto refused = encode_point(point("power", 0), std::string("lots"));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("not a number"), std::string::npos);
}

}  // namespace
}  // namespace regpoll::sim
