// Record meaning: acks byte for byte as the reference gives them, and data records decoded to
// the values the reference lists for the captured frames.
#include "shine/records.hpp"

#include <gtest/gtest.h>

#include <map>

#include "hex.hpp"
#include "vectors.hpp"

namespace regpoll::shine {
namespace {

using test::to_hex;
using test::unhex;
namespace v = test::shine_vectors;

Frame cut(std::string_view hex) {
    CutResult r = cut_frame(unhex(hex));
    EXPECT_EQ(r.status, CutResult::Status::frame) << hex;
    return r.frame;
}

// Register number -> value over all blocks of a record.
std::map<int, std::uint16_t> registers(const DataRecord& rec) {
    std::map<int, std::uint16_t> out;
    for (const auto& b : rec.blocks) {
        for (std::size_t i = 0; i < b.values.size(); ++i)
            out[b.first + static_cast<int>(i)] = b.values[i];
    }
    return out;
}

double u32(const std::map<int, std::uint16_t>& r, int at) {
    return static_cast<double>((static_cast<std::uint32_t>(r.at(at)) << 16) | r.at(at + 1));
}

TEST(ShineAck, DataRecordsGetTheOneByteAck) {
    EXPECT_EQ(to_hex(build_ack(cut(v::v7_data_v6))), v::v7_ack_v6);
    EXPECT_EQ(to_hex(build_ack(cut(v::v8_announce_v5))), v::v8_ack_v5);
    // Protocol 2 (VR): the ack of data and announce records from logger unit 1.
    Frame f;
    f.transaction = 1;
    f.protocol = 2;
    f.unit = 1;
    f.type = 0x04;
    EXPECT_EQ(to_hex(build_ack(f)), v::v5_data_ack_v2);
    f.type = 0x03;
    EXPECT_EQ(to_hex(build_ack(f)), v::v5_announce_ack_v2);
}

TEST(ShineAck, WhoGetsWhatReply) {
    for (std::uint8_t t : {0x03, 0x04, 0x50, 0x20, 0x1b})
        EXPECT_EQ(reply_to(t), Reply::ack) << int(t);
    EXPECT_EQ(reply_to(0x16), Reply::echo);
    for (std::uint8_t t : {0x05, 0x06, 0x10, 0x18, 0x19, 0x29, 0x41, 0x37})
        EXPECT_EQ(reply_to(t), Reply::none) << int(t);
    EXPECT_EQ(record_type_name(0x50), "buffered data");
    EXPECT_EQ(record_type_name(0x37), "unknown");
}

TEST(ShineDataRecord, CapturedMinLiveRecordDecodesToTheListedValues) {
    const Frame f = cut(v::v7_data_v6);
    const auto rec = decode_data_record(f);
    ASSERT_TRUE(rec) << rec.error();
    EXPECT_EQ(rec->datalogger, "XGD5BF42MX");
    EXPECT_EQ(rec->inverter, "WRG0BH70JU");
    ASSERT_TRUE(rec->time);
    EXPECT_EQ(*rec->time, (RecordTime{2023, 11, 4, 8, 51, 59}));
    ASSERT_EQ(rec->blocks.size(), 2U);
    EXPECT_EQ(rec->blocks[0].first, 3000);
    EXPECT_EQ(rec->blocks[0].values.size(), 125U);
    EXPECT_EQ(rec->blocks[1].first, 3125);
    EXPECT_EQ(rec->blocks[1].values.size(), 125U);
    const auto r = registers(*rec);
    EXPECT_EQ(r.at(3000), 1);                     // status normal
    EXPECT_DOUBLE_EQ(u32(r, 3001) / 10, 295.0);   // Ppv W
    EXPECT_DOUBLE_EQ(r.at(3003) / 10.0, 180.7);   // Vpv1 V
    EXPECT_DOUBLE_EQ(r.at(3004) / 10.0, 0.8);     // Ipv1 A
    EXPECT_DOUBLE_EQ(u32(r, 3005) / 10, 154.5);   // Ppv1 W
    EXPECT_DOUBLE_EQ(r.at(3007) / 10.0, 178.6);   // Vpv2 V
    EXPECT_DOUBLE_EQ(u32(r, 3009) / 10, 140.5);   // Ppv2 W
    EXPECT_DOUBLE_EQ(u32(r, 3023) / 10, 283.2);   // Pac W
    EXPECT_DOUBLE_EQ(r.at(3025) / 100.0, 50.00);  // Fac Hz
    EXPECT_DOUBLE_EQ(r.at(3026) / 10.0, 233.7);   // Vac1 V
    EXPECT_DOUBLE_EQ(r.at(3027) / 10.0, 1.3);     // Iac1 A
    EXPECT_DOUBLE_EQ(u32(r, 3049) / 10, 0.0);     // Eac today kWh
    EXPECT_DOUBLE_EQ(u32(r, 3051) / 10, 6771.7);  // Eac total kWh
    EXPECT_DOUBLE_EQ(u32(r, 3053) / 10, 6896.4);  // Epv total kWh
    EXPECT_DOUBLE_EQ(r.at(3093) / 10.0, 23.7);    // temperature °C
}

TEST(ShineDataRecord, CapturedShineLinkAnnounceHasHoldingBlocksAndNoTime) {
    const Frame f = cut(v::v8_announce_v5);
    EXPECT_EQ(f.unit, 0x52);
    const auto rec = decode_data_record(f);
    ASSERT_TRUE(rec) << rec.error();
    EXPECT_EQ(rec->datalogger, "GKB4827095");
    EXPECT_EQ(rec->inverter, "DAA384311B");
    EXPECT_FALSE(rec->time);  // all-zero timestamp
    ASSERT_EQ(rec->blocks.size(), 2U);
    EXPECT_EQ(rec->blocks[0].first, 0);
    EXPECT_EQ(rec->blocks[0].values.size(), 45U);
    EXPECT_EQ(rec->blocks[1].first, 45);
    EXPECT_EQ(rec->blocks[1].values.size(), 45U);
    EXPECT_EQ(rec->blocks[0].values[3], 100);  // holding 3: active power rate 100 %
}

TEST(ShineDataRecord, ProtocolZeroHasNoTimestamp) {
    std::vector<std::uint8_t> body;
    for (char c : std::string("LOGGER0001INVERTER01")) body.push_back(static_cast<std::uint8_t>(c));
    body.insert(body.end(), {1, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x12, 0x34});
    const CutResult r = cut_frame(encode_frame(1, 0, 1, 0x04, body));
    ASSERT_EQ(r.status, CutResult::Status::frame);
    const auto rec = decode_data_record(r.frame);
    ASSERT_TRUE(rec) << rec.error();
    EXPECT_FALSE(rec->time);
    ASSERT_EQ(rec->blocks.size(), 1U);
    EXPECT_EQ(rec->blocks[0].values, (std::vector<std::uint16_t>{1, 0x1234}));
}

TEST(ShineDataRecord, BrokenBodiesSayWhatAndWhere) {
    Frame f = cut(v::v7_data_v6);
    f.body.resize(f.body.size() - 1);
    auto rec = decode_data_record(f);
    ASSERT_FALSE(rec);
    EXPECT_EQ(rec.error(),
              "block 2 at body offset 321: registers 3125-3249 need 250 bytes, 249 left");

    f = cut(v::v7_data_v6);
    f.body[69] = 0x00;  // end register of block 1 now below its start
    f.body[70] = 0x01;
    rec = decode_data_record(f);
    ASSERT_FALSE(rec);
    EXPECT_EQ(rec.error(), "block 1 at body offset 67: end register 1 before start 3000");

    f.body.resize(40);
    rec = decode_data_record(f);
    ASSERT_FALSE(rec);
    EXPECT_NE(rec.error().find("shorter than serials"), std::string::npos);

    f = cut(v::v7_data_v6);
    f.body[0] = 0x9c;  // what an encrypted body looks like where the serial should be
    rec = decode_data_record(f);
    ASSERT_FALSE(rec);
    EXPECT_NE(rec.error().find("encrypted firmware"), std::string::npos);
}

TEST(ShineDataRecord, DataloggerOfAnyRecord) {
    EXPECT_EQ(datalogger_of(cut(v::v1_ping_v6)), "XGD6CF42W6");
    EXPECT_EQ(datalogger_of(cut(v::v5_ping_v2)), "AH44460477");
    EXPECT_EQ(datalogger_of(cut(v::v8_ack_v5)), "");
}

// The encoder a simulated stick uses gives back the captured records byte for byte.
TEST(ShineDataRecord, EncodingTheDecodedCapturesGivesTheSameBytes) {
    for (auto hex : {v::v7_data_v6, v::v8_announce_v5}) {
        const Frame f = cut(hex);
        auto rec = decode_data_record(f);
        ASSERT_TRUE(rec);
        const auto body = encode_data_body(*rec, f.protocol);
        EXPECT_EQ(to_hex(encode_frame(f.transaction, f.protocol, f.unit, f.type, body)), hex);
    }
}

}  // namespace
}  // namespace regpoll::shine
