// The Shine framing against the reference's captured frames: every one cuts as one frame,
// passes its CRC, unmasks to the documented body and re-encodes to the same bytes.
#include "shine/frame.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hex.hpp"
#include "vectors.hpp"

namespace regpoll::shine {
namespace {

using test::to_hex;
using test::unhex;
namespace v = test::shine_vectors;
using Status = CutResult::Status;

std::string text(const std::vector<std::uint8_t>& b) {
    return {b.begin(), b.end()};
}

Frame cut_whole(std::string_view hex) {
    const auto bytes = unhex(hex);
    CutResult r = cut_frame(bytes);
    EXPECT_EQ(r.status, Status::frame) << hex;
    EXPECT_EQ(r.consumed, bytes.size()) << hex;
    EXPECT_EQ(r.frame.raw, bytes);
    return r.frame;
}

TEST(ShineMask, ZeroBytesShowTheKeyFromOffsetEight) {
    // G-T unit vector: 16 zero bytes, header untouched.
    std::vector<std::uint8_t> bytes(16, 0);
    xor_mask(std::span(bytes).subspan(8));
    EXPECT_EQ(to_hex(bytes), "000000000000000047726f7761747447");
}

TEST(ShineFrame, CapturedPingsAreEchoedAsIs) {
    Frame f = cut_whole(v::v1_ping_v6);
    EXPECT_EQ(f.transaction, 0x003d);
    EXPECT_EQ(f.protocol, 6);
    EXPECT_EQ(f.unit, 1);
    EXPECT_EQ(f.type, 0x16);
    ASSERT_EQ(f.body.size(), 30U);
    EXPECT_EQ(text(f.body).substr(0, 10), "XGD6CF42W6");
    EXPECT_EQ(f.body[10], 0);
    EXPECT_EQ(f.body[29], 0);

    f = cut_whole(v::v3_ping_v5);
    EXPECT_EQ(f.protocol, 5);
    EXPECT_EQ(text(f.body), "IUB3818029");

    f = cut_whole(v::v5_ping_v2);
    EXPECT_EQ(f.protocol, 2);
    EXPECT_EQ(text(f.body), "AH44460477");
}

TEST(ShineFrame, EveryCapturedFrameCutsAndReEncodes) {
    for (std::string_view hex : {v::v1_ping_v6,          v::v2_ping_v6,
                                 v::v2_echo_v6_tid2,     v::v3_ping_v5,
                                 v::v3_config_read_v5,   v::v3_config_answer_v5,
                                 v::v3_config_write_v5,  v::v3_config_write_answer_v5,
                                 v::v4_config_read_v6,   v::v4_config_answer_v6,
                                 v::v4_register_read_v6, v::v5_ping_v2,
                                 v::v5_data_ack_v2,      v::v5_announce_ack_v2,
                                 v::v5_config_read_v2,   v::v5_config_answer_v2,
                                 v::v5_reboot_v2,        v::v5_reboot_answer_v2,
                                 v::v7_data_v6,          v::v7_ack_v6,
                                 v::v8_announce_v5,      v::v8_ack_v5,
                                 v::time_set_v6}) {
        const Frame f = cut_whole(hex);
        EXPECT_EQ(to_hex(encode_frame(f.transaction, f.protocol, f.unit, f.type, f.body)), hex);
    }
}

TEST(ShineFrame, CapturedBodiesUnmaskToTheirContent) {
    Frame f = cut_whole(v::v3_config_answer_v5);
    EXPECT_EQ(text(f.body).substr(0, 10), "IUB3818029");
    EXPECT_EQ(text(f.body).substr(14), "2000-01-01 01:01:01");
    f = cut_whole(v::v4_register_read_v6);
    EXPECT_EQ(f.unit, 0x51);
    EXPECT_EQ(f.type, 0x05);
    EXPECT_EQ(to_hex(std::vector(f.body.begin() + 30, f.body.end())), "000f000f");
    f = cut_whole(v::v7_data_v6);
    EXPECT_EQ(f.raw.size(), 585U);
    EXPECT_EQ(text(f.body).substr(0, 10), "XGD5BF42MX");
    EXPECT_EQ(text(f.body).substr(30, 10), "WRG0BH70JU");
}

TEST(ShineFrame, PingEchoWithOtherTransactionMatchesPyGrowatt) {
    const Frame f = cut_whole(v::v2_ping_v6);
    EXPECT_EQ(to_hex(encode_frame(0x0002, f.protocol, f.unit, f.type, f.body)), v::v2_echo_v6_tid2);
}

TEST(ShineFrame, NeedsTheWholeFrameBeforeDeciding) {
    const auto bytes = unhex(v::v7_data_v6);
    for (std::size_t k = 0; k < bytes.size(); ++k) {
        const CutResult r = cut_frame(std::span(bytes).first(k));
        ASSERT_EQ(r.status, Status::need_more) << k;
        ASSERT_EQ(r.consumed, 0U);
    }
}

TEST(ShineFrame, BadCrcDropsExactlyThatFrame) {
    auto bytes = unhex(v::v3_ping_v5);
    bytes[12] ^= 0x01;
    const CutResult r = cut_frame(bytes);
    EXPECT_EQ(r.status, Status::dropped);
    EXPECT_EQ(r.error, CutError::bad_crc);
    EXPECT_EQ(r.consumed, bytes.size());
}

TEST(ShineFrame, GarbageIsSkippedToTheNextHeader) {
    auto bytes = unhex("deadbeef0102030405");
    const auto ping = unhex(v::v3_ping_v5);
    bytes.insert(bytes.end(), ping.begin(), ping.end());
    CutResult r = cut_frame(bytes);
    EXPECT_EQ(r.status, Status::dropped);
    EXPECT_EQ(r.error, CutError::bad_header);
    EXPECT_EQ(r.consumed, 9U);
    r = cut_frame(std::span(bytes).subspan(9));
    EXPECT_EQ(r.status, Status::frame);
    EXPECT_EQ(r.frame.raw, ping);
}

TEST(ShineFrame, ImpossibleLengthsAreNotWaitedFor) {
    // Length 1 cannot hold unit and type; 0xFFFF is past the bound.
    for (std::string_view hex : {"000100050001011600", "00010006ffff01160000"}) {
        const CutResult r = cut_frame(unhex(hex));
        EXPECT_EQ(r.status, Status::dropped) << hex;
        EXPECT_EQ(r.error, CutError::bad_header);
        EXPECT_GT(r.consumed, 0U);
    }
}

TEST(ShineFrame, ProtocolZeroIsPlain) {
    const std::vector<std::uint8_t> body{'A', 'B', 'C'};
    const auto bytes = encode_frame(7, 0, 1, 0x16, body);
    EXPECT_EQ(to_hex(bytes),
              "000700000005011641"
              "4243");
    const CutResult r = cut_frame(bytes);
    ASSERT_EQ(r.status, Status::frame);
    EXPECT_EQ(r.frame.body, body);
}

}  // namespace
}  // namespace regpoll::shine
