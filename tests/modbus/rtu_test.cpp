#include "modbus/rtu.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "framing_harness.hpp"
#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

using test::hex;

test::ParseFn responses() {
    return [](std::span<const std::uint8_t> b) { return parse_rtu(b, Direction::response); };
}
test::ParseFn requests() {
    return [](std::span<const std::uint8_t> b) { return parse_rtu(b, Direction::request); };
}

TEST(Rtu, EncodesWithCrcLowByteFirst) {
    // MinimalModbus documentation example.
    EXPECT_EQ(encode_rtu(1, hex("03 00 05 00 01")), hex("01 03 00 05 00 01 94 0B"));
    EXPECT_EQ(encode_rtu(1, hex("03 00 00 00 01")), hex("01 03 00 00 00 01 84 0A"));
    EXPECT_EQ(encode_rtu(1, hex("03 02 00 F6")), hex("01 03 02 00 F6 38 02"));
}

TEST(Rtu, WholeFrameByteByByteAndInOddChunks) {
    const auto frame = hex("01 03 02 00 F6 38 02");
    for (std::size_t chunk : {frame.size(), std::size_t{1}, std::size_t{3}}) {
        auto r = test::feed(responses(), frame, chunk);
        ASSERT_EQ(r.frames.size(), 1U);
        EXPECT_EQ(r.frames[0].unit, 1);
        EXPECT_EQ(r.frames[0].pdu, hex("03 02 00 F6"));
        EXPECT_EQ(r.left_over, 0U);
    }
}

TEST(Rtu, RequestsAreFramedByTheirOwnLengthRules) {
    auto frame = encode_rtu(7, hex("10 00 01 00 02 04 00 0A 01 02"));
    auto r = test::feed(requests(), frame, 1);
    ASSERT_EQ(r.frames.size(), 1U);
    EXPECT_EQ(r.frames[0].unit, 7);
    EXPECT_EQ(r.frames[0].pdu, hex("10 00 01 00 02 04 00 0A 01 02"));
}

TEST(Rtu, TwoFramesInOneRead) {
    auto bytes = encode_rtu(1, hex("03 02 00 F6"));
    auto exc = encode_rtu(2, hex("83 02"));
    bytes.insert(bytes.end(), exc.begin(), exc.end());
    auto r = test::feed(responses(), bytes, bytes.size());
    ASSERT_EQ(r.frames.size(), 2U);
    EXPECT_EQ(r.frames[1].unit, 2);
    EXPECT_EQ(r.frames[1].pdu, hex("83 02"));
}

TEST(Rtu, TruncatedFrameWaitsForMore) {
    auto r = parse_rtu(hex("01 03 02 00 F6 38"), Direction::response);
    EXPECT_EQ(r.status, ParseResult::Status::need_more);
}

TEST(Rtu, BadCrcDiscardsTheFrame) {
    auto r = parse_rtu(hex("01 03 02 00 F6 38 03"), Direction::response);
    EXPECT_EQ(r.status, ParseResult::Status::error);
    EXPECT_EQ(r.error, Errc::bad_crc);
    EXPECT_EQ(r.consumed, 7U);
}

TEST(Rtu, GarbageResynchronises) {
    auto r = parse_rtu(hex("01 00 12 34"), Direction::response);
    EXPECT_EQ(r.status, ParseResult::Status::error);
    EXPECT_EQ(r.consumed, 4U);
    // a byte count that would exceed 256 bytes
    auto long_frame = parse_rtu(hex("01 03 FF"), Direction::response);
    EXPECT_EQ(long_frame.status, ParseResult::Status::error);
}

TEST(Rtu, EchoResponseLengthFromRequest) {
    auto req = hex("08 00 00 01 02 03 04");
    auto frame = encode_rtu(1, req);
    auto r = parse_rtu(frame, Direction::response, req);
    ASSERT_EQ(r.status, ParseResult::Status::frame);
    EXPECT_EQ(r.adu.pdu, req);
}

}  // namespace
}  // namespace regpoll::modbus
