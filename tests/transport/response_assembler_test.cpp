// The response assembler fed the way a medium delivers bytes: a whole frame, one byte at a
// time, split at odd places, with the adapter's echo in front, with noise behind, and
// broken in every way the link must turn into an error.
#include "transport/response_assembler.hpp"

#include <gtest/gtest.h>

#include "modbus/ascii.hpp"
#include "modbus/error.hpp"
#include "modbus/mbap.hpp"
#include "modbus/rtu.hpp"

namespace regpoll::transport {
namespace {

using modbus::Errc;
using Bytes = std::vector<std::uint8_t>;

const modbus::Pdu read_two{0x03, 0x00, 0x10, 0x00, 0x02};  // FC3, address 16, 2 registers
const modbus::Pdu answer_two{0x03, 0x04, 0x12, 0x34, 0xAB, 0xCD};

SentRequest rtu_request(bool echo = false) {
    return {modbus::Framing::rtu, 7, read_two, 0, echo};
}

// Feeds `chunks` in order; returns the last progress.
ResponseAssembler::Progress feed_all(ResponseAssembler& a, const std::vector<Bytes>& chunks) {
    ResponseAssembler::Progress p;
    for (const auto& c : chunks) {
        EXPECT_FALSE(p.done) << "done before the last chunk";
        p = a.feed(c);
    }
    return p;
}

// Splits `bytes` at the given offsets.
std::vector<Bytes> split(const Bytes& bytes, std::vector<std::size_t> cuts) {
    std::vector<Bytes> out;
    std::size_t from = 0;
    cuts.push_back(bytes.size());
    for (auto to : cuts) {
        out.emplace_back(bytes.begin() + static_cast<long>(from), bytes.begin() + static_cast<long>(to));
        from = to;
    }
    return out;
}

TEST(ResponseAssembler, RequestFrameIsEncodedForTheFraming) {
    EXPECT_EQ(ResponseAssembler(rtu_request()).request_frame(), modbus::encode_rtu(7, read_two));
    EXPECT_EQ(ResponseAssembler({modbus::Framing::ascii, 7, read_two, 0, false}).request_frame(),
              modbus::encode_ascii(7, read_two));
    EXPECT_EQ(ResponseAssembler({modbus::Framing::mbap, 7, read_two, 42, false}).request_frame(),
              modbus::encode_mbap(42, 7, read_two));
}

TEST(ResponseAssembler, LongestResponseInCharacters) {
    EXPECT_EQ(ResponseAssembler(rtu_request()).longest_response(), 9U);  // 1 + 6 + 2
    EXPECT_EQ(ResponseAssembler({modbus::Framing::ascii, 7, read_two, 0, false}).longest_response(), 19U);
    EXPECT_EQ(ResponseAssembler({modbus::Framing::mbap, 7, read_two, 0, false}).longest_response(), 13U);
    const modbus::Pdu report_id{0x11};  // FC17: only the answer knows its length
    EXPECT_EQ(ResponseAssembler({modbus::Framing::rtu, 7, report_id, 0, false}).longest_response(), 256U);
}

TEST(ResponseAssembler, OnlyWritesCanBeBroadcast) {
    EXPECT_TRUE(is_broadcastable(modbus::make_write_single_register(1, 2)));
    EXPECT_TRUE(is_broadcastable(modbus::make_write_single_coil(1, true)));
    EXPECT_TRUE(is_broadcastable(modbus::make_mask_write_register(1, 0xFF00, 0x0001)));
    EXPECT_FALSE(is_broadcastable(read_two));
    EXPECT_FALSE(is_broadcastable({}));
}

TEST(ResponseAssembler, RtuWholeFrameOneByteAtATimeAndOddSplits) {
    const Bytes frame = modbus::encode_rtu(7, answer_two);
    std::vector<std::vector<Bytes>> deliveries{{frame}, split(frame, {1}), split(frame, {2, 3}),
                                               split(frame, {frame.size() - 1}), {}};
    for (std::size_t i = 0; i < frame.size(); ++i) deliveries.back().push_back({frame[i]});
    for (const auto& chunks : deliveries) {
        ResponseAssembler a(rtu_request());
        auto p = feed_all(a, chunks);
        ASSERT_TRUE(p.done) << chunks.size() << " chunks";
        EXPECT_FALSE(p.error) << p.error.message();
        EXPECT_EQ(p.pdu, answer_two);
        EXPECT_EQ(p.trailing, 0U);
        EXPECT_EQ(Bytes(a.received().begin(), a.received().end()), frame);
    }
}

TEST(ResponseAssembler, PartialIsTrueOnlyInsideAFrame) {
    ResponseAssembler a(rtu_request(true));
    EXPECT_FALSE(a.partial());  // waiting for the echo: silence is not a gap yet
    const Bytes echo = a.request_frame();
    a.feed(Bytes(echo.begin(), echo.begin() + 3));
    EXPECT_TRUE(a.partial());  // inside the echo
    a.feed(Bytes(echo.begin() + 3, echo.end()));
    EXPECT_FALSE(a.partial());  // echo done, the device is thinking
    EXPECT_EQ(a.echo_remaining(), 0U);
    a.feed(Bytes{7, 3});
    EXPECT_TRUE(a.partial());
}

TEST(ResponseAssembler, EchoIsStrippedWhereverTheChunksSplit) {
    ResponseAssembler probe(rtu_request(true));
    Bytes wire = probe.request_frame();
    const Bytes frame = modbus::encode_rtu(7, answer_two);
    wire.insert(wire.end(), frame.begin(), frame.end());
    for (std::size_t cut = 1; cut < wire.size(); ++cut) {
        ResponseAssembler a(rtu_request(true));
        auto p = feed_all(a, split(wire, {cut}));
        ASSERT_TRUE(p.done) << "cut at " << cut;
        EXPECT_FALSE(p.error) << p.error.message();
        EXPECT_EQ(p.pdu, answer_two);
    }
}

TEST(ResponseAssembler, MangledEchoIsAnError) {
    ResponseAssembler a(rtu_request(true));
    Bytes echo = a.request_frame();
    echo[3] ^= 0x01;
    auto p = a.feed(echo);
    ASSERT_TRUE(p.done);
    EXPECT_EQ(p.error, Errc::echo_mismatch);
}

TEST(ResponseAssembler, RtuFaults) {
    {
        Bytes frame = modbus::encode_rtu(7, answer_two);
        frame.back() ^= 0xFF;
        ResponseAssembler a(rtu_request());
        auto p = a.feed(frame);
        ASSERT_TRUE(p.done);
        EXPECT_EQ(p.error, Errc::bad_crc);
    }
    {
        ResponseAssembler a(rtu_request());
        auto p = a.feed(modbus::encode_rtu(8, answer_two));
        ASSERT_TRUE(p.done);
        EXPECT_EQ(p.error, Errc::unit_mismatch);
    }
    {
        ResponseAssembler a(rtu_request());
        auto p = a.feed(Bytes{7, 0x5A, 0x01, 0x02});  // no such function code: cannot be framed
        ASSERT_TRUE(p.done);
        EXPECT_EQ(p.error, Errc::unknown_function);
    }
    {
        ResponseAssembler a(rtu_request());  // a complete frame, but one register short
        auto p = a.feed(modbus::encode_rtu(7, Bytes{0x03, 0x02, 0x00, 0x01}));
        ASSERT_TRUE(p.done);
        EXPECT_EQ(p.error, Errc::byte_count_mismatch);
    }
}

TEST(ResponseAssembler, ExceptionReplyEndsAfterFiveBytes) {
    ResponseAssembler a(rtu_request());
    const Bytes frame = modbus::encode_rtu(7, Bytes{0x83, 0x02});
    auto p = feed_all(a, split(frame, {2}));
    ASSERT_TRUE(p.done);
    EXPECT_EQ(p.error.message(), "exception ILLEGAL DATA ADDRESS (2)");
    EXPECT_TRUE(modbus::is_exception(p.error));
}

TEST(ResponseAssembler, BytesAfterTheFrameAreReportedAsTrailing) {
    ResponseAssembler a(rtu_request());
    Bytes wire = modbus::encode_rtu(7, answer_two);
    wire.push_back(0xFE);  // a known device quirk: an extra byte after the frame
    auto p = a.feed(wire);
    ASSERT_TRUE(p.done);
    EXPECT_FALSE(p.error);
    EXPECT_EQ(p.trailing, 1U);
    EXPECT_EQ(a.received().size(), wire.size() - 1);
}

TEST(ResponseAssembler, AsciiSkipsNoiseAndReassembles) {
    const SentRequest req{modbus::Framing::ascii, 7, read_two, 0, false};
    const Bytes frame = modbus::encode_ascii(7, answer_two);
    Bytes wire{'\n', 0x00, '?'};
    wire.insert(wire.end(), frame.begin(), frame.end());
    ResponseAssembler a(req);
    auto p = feed_all(a, split(wire, {1, 4, 9, wire.size() - 1}));
    ASSERT_TRUE(p.done);
    EXPECT_FALSE(p.error) << p.error.message();
    EXPECT_EQ(p.pdu, answer_two);
    Bytes bad = frame;
    bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';  // LRC digit
    ResponseAssembler b(req);
    auto q = b.feed(bad);
    ASSERT_TRUE(q.done);
    EXPECT_EQ(q.error, Errc::bad_lrc);
}

TEST(ResponseAssembler, MbapSkipsAnswersToOlderRequests) {
    const SentRequest req{modbus::Framing::mbap, 7, read_two, 5, false};
    Bytes wire = modbus::encode_mbap(4, 7, answer_two);  // late answer to transaction 4
    const Bytes mine = modbus::encode_mbap(5, 7, answer_two);
    wire.insert(wire.end(), mine.begin(), mine.end());
    ResponseAssembler a(req);
    ResponseAssembler::Progress p;
    std::size_t strays = 0;  // reported with the chunk that completed the stray frame
    for (const auto& chunk : split(wire, {3, 14})) {
        p = a.feed(chunk);
        strays += p.strays;
    }
    ASSERT_TRUE(p.done);
    EXPECT_FALSE(p.error) << p.error.message();
    EXPECT_EQ(strays, 1U);
    ResponseAssembler b(req);
    auto q = b.feed(Bytes{0x00, 0x05, 0x12, 0x34, 0x00, 0x03, 0x07, 0x03, 0x00});
    ASSERT_TRUE(q.done);
    EXPECT_EQ(q.error, Errc::protocol_mismatch);
}

}  // namespace
}  // namespace regpoll::transport
