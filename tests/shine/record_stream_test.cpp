// The receive stream of one connection: records however the reads split them, bad ones
// dropped and counted without losing the good ones around them, a bounded buffer.
#include "shine/record_stream.hpp"

#include <gtest/gtest.h>

#include "hex.hpp"
#include "shine/records.hpp"
#include "vectors.hpp"

namespace regpoll::shine {
namespace {

using test::unhex;
namespace v = test::shine_vectors;
using Status = CutResult::Status;
using Bytes = std::vector<std::uint8_t>;

struct Drained {
    std::vector<Frame> frames;
    std::vector<CutError> drops;
};

// Feeds `bytes` in reads of `chunk` bytes, draining after each read like a connection does.
Drained feed(RecordStream& stream, const Bytes& bytes, std::size_t chunk) {
    Drained out;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        const std::size_t n = std::min(chunk, bytes.size() - at);
        stream.append(std::span(bytes).subspan(at, n));
        for (;;) {
            CutResult r = stream.next();
            if (r.status == Status::need_more) break;
            if (r.status == Status::frame) out.frames.push_back(std::move(r.frame));
            if (r.status == Status::dropped) out.drops.push_back(r.error);
        }
        EXPECT_LT(stream.buffered(), header_size + max_length + crc_size);
    }
    return out;
}

Bytes concat(std::initializer_list<std::string_view> hexes) {
    Bytes out;
    for (auto h : hexes) {
        const Bytes b = unhex(h);
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

// A protocol-6 data record of four 125-register blocks: 1093 bytes, over 1 KiB.
Bytes big_record() {
    Bytes body(60, 0);
    for (int i = 0; i < 10; ++i) body[i] = static_cast<std::uint8_t>('A' + i);
    for (int i = 0; i < 10; ++i) body[30 + i] = static_cast<std::uint8_t>('K' + i);
    const Bytes time{25, 6, 1, 12, 0, 0};
    body.insert(body.end(), time.begin(), time.end());
    body.push_back(4);
    for (std::uint16_t first : {0, 125, 3000, 3125}) {
        const auto last = static_cast<std::uint16_t>(first + 124);
        body.insert(body.end(),
                    {static_cast<std::uint8_t>(first >> 8), static_cast<std::uint8_t>(first),
                     static_cast<std::uint8_t>(last >> 8), static_cast<std::uint8_t>(last)});
        for (int r = first; r <= last; ++r) {
            body.push_back(static_cast<std::uint8_t>(r >> 8));
            body.push_back(static_cast<std::uint8_t>(r));
        }
    }
    return encode_frame(9, 6, 1, 0x04, body);
}

TEST(ShineRecordStream, SplitsAnyWayTheReadsCome) {
    const Bytes bytes =
        concat({v::v1_ping_v6, v::v7_data_v6, v::v3_ping_v5, v::v8_announce_v5, v::v5_ping_v2});
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100}, bytes.size()}) {
        RecordStream stream;
        const Drained d = feed(stream, bytes, chunk);
        ASSERT_EQ(d.frames.size(), 5U) << "chunk " << chunk;
        EXPECT_TRUE(d.drops.empty());
        EXPECT_EQ(d.frames[1].raw, unhex(v::v7_data_v6));
        EXPECT_EQ(d.frames[3].unit, 0x52);
        EXPECT_EQ(d.frames[4].protocol, 2);
        EXPECT_EQ(stream.buffered(), 0U);
        EXPECT_EQ(stream.counters().frames, 5U);
    }
}

TEST(ShineRecordStream, RecordsOverOneKibibyte) {
    const Bytes big = big_record();
    ASSERT_GT(big.size(), 1024U);
    Bytes bytes = big;
    bytes.insert(bytes.end(), big.begin(), big.end());
    RecordStream stream;
    const Drained d = feed(stream, bytes, 512);
    ASSERT_EQ(d.frames.size(), 2U);
    const auto rec = decode_data_record(d.frames[1]);
    ASSERT_TRUE(rec) << rec.error();
    ASSERT_EQ(rec->blocks.size(), 4U);
    EXPECT_EQ(rec->blocks[3].first, 3125);
    EXPECT_EQ(rec->blocks[3].values.back(), 3249);
}

TEST(ShineRecordStream, BadCrcDropsOneRecordAndKeepsTheNext) {
    Bytes bytes = concat({v::v3_ping_v5, v::v7_data_v6, v::v3_ping_v5});
    bytes[20 + 300] ^= 0xFF;  // inside the data record's body
    RecordStream stream;
    const Drained d = feed(stream, bytes, 64);
    ASSERT_EQ(d.frames.size(), 2U);
    ASSERT_EQ(d.drops.size(), 1U);
    EXPECT_EQ(d.drops[0], CutError::bad_crc);
    EXPECT_EQ(stream.counters().dropped, 1U);
    EXPECT_EQ(stream.counters().dropped_bytes, 585U);
}

TEST(ShineRecordStream, GarbageBetweenRecordsIsOneDrop) {
    const Bytes bytes = concat({v::v5_ping_v2, "ffffffffffffffffffffffffffffffff", v::v7_data_v6});
    RecordStream stream;
    const Drained d = feed(stream, bytes, 5);
    ASSERT_EQ(d.frames.size(), 2U);
    EXPECT_EQ(d.frames[1].type, 0x04);
    // Read by read the garbage may come out as a few drops, never as a lost record.
    EXPECT_GE(d.drops.size(), 1U);
    EXPECT_EQ(stream.counters().dropped_bytes, 16U);
}

TEST(ShineRecordStream, TruncatedRecordWaits) {
    const Bytes data = unhex(v::v7_data_v6);
    RecordStream stream;
    const Drained d = feed(stream, Bytes(data.begin(), data.end() - 1), 100);
    EXPECT_TRUE(d.frames.empty());
    EXPECT_TRUE(d.drops.empty());
    EXPECT_EQ(stream.buffered(), data.size() - 1);
}

}  // namespace
}  // namespace regpoll::shine
