#include "modbus/ascii.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "framing_harness.hpp"
#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

using test::ascii_bytes;
using test::hex;

TEST(Ascii, EncodesSpecExamples) {
    EXPECT_EQ(encode_ascii(1, hex("03 00 00 00 01")), ascii_bytes(":010300000001FB\r\n"));
    // MinimalModbus documentation example.
    EXPECT_EQ(encode_ascii(1, hex("03 10 01 00 01")), ascii_bytes(":010310010001EA\r\n"));
}

TEST(Ascii, WholeFrameByteByByte) {
    auto frame = ascii_bytes(":010310010001EA\r\n");
    for (std::size_t chunk : {frame.size(), std::size_t{1}, std::size_t{5}}) {
        auto r = test::feed(parse_ascii, frame, chunk);
        ASSERT_EQ(r.frames.size(), 1U);
        EXPECT_EQ(r.frames[0].unit, 1);
        EXPECT_EQ(r.frames[0].pdu, hex("03 10 01 00 01"));
        EXPECT_EQ(r.left_over, 0U);
    }
}

TEST(Ascii, TwoFramesAndLeadingGarbage) {
    auto bytes = ascii_bytes("xx\r\n:010300000001FB\r\n:010310010001EA\r\n");
    auto r = test::feed(parse_ascii, bytes, bytes.size());
    ASSERT_EQ(r.frames.size(), 2U);
    EXPECT_TRUE(r.errors.empty());
    EXPECT_EQ(r.frames[1].pdu, hex("03 10 01 00 01"));
}

TEST(Ascii, LowerCaseHexIsAccepted) {
    auto r = parse_ascii(ascii_bytes(":010310010001ea\r\n"));
    EXPECT_EQ(r.status, ParseResult::Status::frame);
}

TEST(Ascii, TruncatedFrameWaitsForMore) {
    auto r = parse_ascii(ascii_bytes(":010310010001EA\r"));
    EXPECT_EQ(r.status, ParseResult::Status::need_more);
}

TEST(Ascii, ColonMidFrameRestarts) {
    auto bytes = ascii_bytes(":0103:010300000001FB\r\n");
    auto r = test::feed(parse_ascii, bytes, 1);
    ASSERT_EQ(r.frames.size(), 1U);
    ASSERT_EQ(r.errors.size(), 1U);
    EXPECT_EQ(r.frames[0].pdu, hex("03 00 00 00 01"));
}

TEST(Ascii, BadLrcAndBadHexAreErrors) {
    EXPECT_EQ(parse_ascii(ascii_bytes(":010300000001FC\r\n")).error, Errc::bad_lrc);
    EXPECT_EQ(parse_ascii(ascii_bytes(":01030000G001FB\r\n")).error, Errc::malformed_frame);
    EXPECT_EQ(parse_ascii(ascii_bytes(":0103000001FB\n")).error, Errc::malformed_frame);
    EXPECT_EQ(parse_ascii(ascii_bytes(":01F\r\n")).error, Errc::malformed_frame);
}

}  // namespace
}  // namespace regpoll::modbus
