#include "modbus/mbap.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "framing_harness.hpp"
#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

using test::hex;

const auto response = hex("E7 53 00 00 00 09 01 03 06 02 2B 00 00 00 64");

TEST(Mbap, EncodesHeaderAndPdu) {
    EXPECT_EQ(encode_mbap(0xE753, 1, hex("03 00 00 00 04")),
              hex("E7 53 00 00 00 06 01 03 00 00 00 04"));
}

TEST(Mbap, WholeFrameByteByByteAndInOddChunks) {
    for (std::size_t chunk : {response.size(), std::size_t{1}, std::size_t{4}, std::size_t{8}}) {
        auto r = test::feed(parse_mbap, response, chunk);
        ASSERT_EQ(r.frames.size(), 1U) << "chunk " << chunk;
        EXPECT_EQ(r.frames[0].transaction, 0xE753);
        EXPECT_EQ(r.frames[0].unit, 1);
        EXPECT_EQ(r.frames[0].pdu, hex("03 06 02 2B 00 00 00 64"));
        EXPECT_TRUE(r.errors.empty());
        EXPECT_EQ(r.left_over, 0U);
    }
}

TEST(Mbap, TwoFramesInOneRead) {
    auto two = response;
    auto second = hex("E7 54 00 00 00 03 02 83 02");
    two.insert(two.end(), second.begin(), second.end());
    auto r = test::feed(parse_mbap, two, two.size());
    ASSERT_EQ(r.frames.size(), 2U);
    EXPECT_EQ(r.frames[1].transaction, 0xE754);
    EXPECT_EQ(r.frames[1].pdu, hex("83 02"));
}

TEST(Mbap, TruncatedFrameWaitsForMore) {
    auto cut = std::vector<std::uint8_t>(response.begin(), response.end() - 1);
    auto r = parse_mbap(cut);
    EXPECT_EQ(r.status, ParseResult::Status::need_more);
    EXPECT_EQ(r.consumed, 0U);
}

TEST(Mbap, GarbageIsAnError) {
    auto r = parse_mbap(hex("E7 53 00 01 00 06 01 03 00 00 00 04"));  // protocol id 1
    EXPECT_EQ(r.status, ParseResult::Status::error);
    EXPECT_EQ(r.error, Errc::protocol_mismatch);
    auto too_long = parse_mbap(hex("00 01 00 00 01 00 01"));  // length 256
    EXPECT_EQ(too_long.error, Errc::frame_too_long);
    auto too_short = parse_mbap(hex("00 01 00 00 00 01 01"));  // unit only, no PDU
    EXPECT_EQ(too_short.error, Errc::malformed_frame);
}

}  // namespace
}  // namespace regpoll::modbus
