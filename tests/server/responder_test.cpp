#include "server/responder.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/ascii.hpp"
#include "modbus/error.hpp"
#include "modbus/rtu.hpp"

namespace regpoll::server {
namespace {

using namespace std::chrono_literals;
using modbus::Adu;
using modbus::Framing;
using test::hex;
using test::to_hex;
using Regs = std::vector<std::uint16_t>;

class ResponderTest : public ::testing::Test {
  protected:
    ResponderTest() {
        for (std::uint8_t unit : {1, 2}) {
            tables_.add_unit(unit).set_registers(RegisterKind::holding, 0, Regs{unit, 0});
        }
    }
    Adu adu(std::uint8_t unit, const std::string& pdu, std::uint16_t transaction = 0) {
        return Adu{transaction, unit, hex(pdu)};
    }
    std::uint16_t reg(std::uint8_t unit, std::uint16_t address) {
        return (*tables_.unit(unit)->registers(RegisterKind::holding, address, 1))[0];
    }
    DataTables tables_;
};

TEST_F(ResponderTest, MbapEchoesTransactionAndUnit) {
    Responder r(tables_, Framing::mbap, {});
    const ServerReply reply = r.respond(adu(2, "03 00 00 00 01", 0x1234));
    ASSERT_EQ(reply.action, ServerReply::Action::send);
    EXPECT_EQ(to_hex(reply.adu), "12 34 00 00 00 05 02 03 02 00 02");
    EXPECT_EQ(reply.delay, 0ms);
    EXPECT_EQ(r.stats().requests, 1U);
    EXPECT_EQ(r.stats().replies, 1U);
}

TEST_F(ResponderTest, RtuAndAsciiFrameTheReply) {
    Responder rtu(tables_, Framing::rtu, {});
    EXPECT_EQ(rtu.respond(adu(1, "03 00 00 00 01")).adu, modbus::encode_rtu(1, hex("03 02 00 01")));
    Responder ascii(tables_, Framing::ascii, {});
    EXPECT_EQ(ascii.respond(adu(1, "06 00 01 00 07")).adu,
              modbus::encode_ascii(1, hex("06 00 01 00 07")));
    EXPECT_EQ(reg(1, 1), 7);
}

TEST_F(ResponderTest, UnknownUnits) {
    ServeOptions silent;
    EXPECT_EQ(Responder(tables_, Framing::rtu, silent).respond(adu(9, "03 00 00 00 01")).action,
              ServerReply::Action::none);
    ServeOptions gateway{UnknownUnit::gateway_target_failed, false, {}};
    EXPECT_EQ(
        to_hex(Responder(tables_, Framing::mbap, gateway).respond(adu(9, "03 00 00 00 01", 7)).adu),
        "00 07 00 00 00 03 09 83 0B");
    ServeOptions path{UnknownUnit::gateway_path_unavailable, false, {}};
    EXPECT_EQ(to_hex(Responder(tables_, Framing::mbap, path).respond(adu(9, "10", 7)).adu),
              "00 07 00 00 00 03 09 90 0A");
}

TEST_F(ResponderTest, BroadcastWritesEveryUnitAndIsNeverAnswered) {
    ServeOptions options{UnknownUnit::silent, true, {}};
    Responder r(tables_, Framing::rtu, options);
    EXPECT_EQ(r.respond(adu(0, "06 00 01 00 2A")).action, ServerReply::Action::none);
    EXPECT_EQ(reg(1, 1), 42);
    EXPECT_EQ(reg(2, 1), 42);
    EXPECT_EQ(r.respond(adu(0, "03 00 00 00 01")).action, ServerReply::Action::none);
    EXPECT_EQ(r.stats().unanswered, 2U);
    // without broadcast, unit 0 is just a unit nobody serves
    tables_.add_unit(0).set_registers(RegisterKind::holding, 0, Regs{5});
    Responder plain(tables_, Framing::rtu, ServeOptions{});
    EXPECT_EQ(plain.respond(adu(0, "03 00 00 00 01")).adu,
              modbus::encode_rtu(0, hex("03 02 00 05")));
}

TEST_F(ResponderTest, InjectedExceptionsDoNotExecute) {
    FaultSettings f;
    f.exception_rate = 1;
    f.exception_code = modbus::Errc::acknowledge;
    Responder r(tables_, Framing::mbap, {}, FaultPolicy(f));
    EXPECT_EQ(to_hex(r.respond(adu(1, "06 00 01 00 2A", 1)).adu), "00 01 00 00 00 03 01 86 05");
    EXPECT_EQ(reg(1, 1), 0);
    EXPECT_EQ(r.stats().exceptions, 1U);
    EXPECT_EQ(r.stats().injected_faults, 1U);
}

TEST_F(ResponderTest, DroppedRepliesStillExecute) {
    FaultSettings f;
    f.drop_rate = 1;
    Responder r(tables_, Framing::mbap, {}, FaultPolicy(f));
    EXPECT_EQ(r.respond(adu(1, "06 00 01 00 2A")).action, ServerReply::Action::none);
    EXPECT_EQ(reg(1, 1), 42);
    EXPECT_EQ(r.stats().unanswered, 1U);
}

TEST_F(ResponderTest, CorruptedChecksums) {
    FaultSettings f;
    f.corrupt_rate = 1;
    Responder rtu(tables_, Framing::rtu, {}, FaultPolicy(f));
    const auto bad_rtu = rtu.respond(adu(1, "03 00 00 00 01")).adu;
    auto parsed = modbus::parse_rtu(bad_rtu, modbus::Direction::response, hex("03 00 00 00 01"));
    EXPECT_EQ(parsed.error, modbus::Errc::bad_crc);
    EXPECT_EQ(parsed.consumed, bad_rtu.size());
    Responder ascii(tables_, Framing::ascii, {}, FaultPolicy(f));
    const auto bad_ascii = ascii.respond(adu(1, "03 00 00 00 01")).adu;
    EXPECT_EQ(modbus::parse_ascii(bad_ascii).error, modbus::Errc::bad_lrc);
    Responder mbap(tables_, Framing::mbap, {}, FaultPolicy(f));
    EXPECT_EQ(to_hex(mbap.respond(adu(1, "03 00 00 00 01")).adu),
              "00 00 00 00 00 05 01 03 02 00 01")
        << "MBAP has no checksum to break";
}

TEST_F(ResponderTest, DisconnectAndDelayDecisionsPassThrough) {
    FaultSettings d;
    d.disconnect_rate = 1;
    EXPECT_EQ(Responder(tables_, Framing::mbap, {}, FaultPolicy(d))
                  .respond(adu(1, "06 00 01 00 01"))
                  .action,
              ServerReply::Action::disconnect);
    EXPECT_EQ(reg(1, 1), 0) << "a disconnect happens instead of the request";
    FaultSettings slow;
    slow.delay = 250ms;
    EXPECT_EQ(Responder(tables_, Framing::mbap, {}, FaultPolicy(slow))
                  .respond(adu(1, "03 00 00 00 01"))
                  .delay,
              250ms);
}

TEST_F(ResponderTest, ReadLimitIsPartOfServeOptions) {
    ServeOptions options;
    options.limits.max_read_registers = 1;
    Responder r(tables_, Framing::rtu, options);
    EXPECT_EQ(r.respond(adu(1, "03 00 00 00 02")).adu, modbus::encode_rtu(1, hex("83 03")));
}

}  // namespace
}  // namespace regpoll::server
