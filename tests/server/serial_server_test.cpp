// The serial server on a pseudo-terminal pair made by openpty(): the test writes request
// frames on the master side as a Modbus master on the line would.
#include "server/serial_server.hpp"

#include <pty.h>
#include <termios.h>

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/ascii.hpp"
#include "modbus/rtu.hpp"
#include "test_io.hpp"

namespace regpoll::server {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::hex;

class SerialServerTest : public ::testing::Test {
  protected:
    SerialServerTest() {
        for (std::uint8_t unit : {1, 2}) {
            UnitTables& t = tables_.add_unit(unit);
            t.map(RegisterKind::holding, 0, 10);
            t.set_registers(RegisterKind::holding, 0, std::vector<std::uint16_t>{unit, 20});
        }
        int master = -1;
        int slave = -1;
        char name[128] = {};
        termios raw{};
        cfmakeraw(&raw);
        if (::openpty(&master, &slave, name, &raw, nullptr) == 0) {
            master_ = test::Fd(master);
            slave_ = test::Fd(slave);  // held open so the master never sees a hangup
            device_ = name;
        }
    }
    ~SerialServerTest() override {
        if (server_) io_.stop([this] { server_->stop(); });
    }

    void start(modbus::Framing framing = modbus::Framing::rtu) {
        ASSERT_TRUE(master_.valid()) << "openpty failed";
        SerialServerOptions o;
        o.device = device_;
        o.baud = 19200;
        o.parity = 'E';  // not requested on a pty
        o.framing = framing;
        o.resync_silence = 40ms;
        server_ = std::make_unique<SerialServer>(io_.io(), tables_, o);
        server_->set_failure_handler([this](std::error_code ec) { failure_.set_value(ec); });
        ASSERT_FALSE(server_->start());
        io_.start();
    }

    std::optional<Bytes> rtu_reply(const Bytes& request_pdu, test::Millis timeout = 2000ms) {
        auto parse = [&](std::span<const std::uint8_t> b) {
            return modbus::parse_rtu(b, modbus::Direction::response, request_pdu);
        };
        return test::read_frame(master_.get(), parse, timeout);
    }
    std::optional<Bytes> rtu_transact(std::uint8_t unit, const std::string& pdu,
                                      test::Millis timeout = 2000ms) {
        const Bytes request = hex(pdu);
        if (!test::write_all(master_.get(), modbus::encode_rtu(unit, request))) return std::nullopt;
        return rtu_reply(request, timeout);
    }

    DataTables tables_;
    test::IoThread io_;
    test::Fd master_;
    test::Fd slave_;
    std::string device_;
    std::unique_ptr<SerialServer> server_;
    std::promise<std::error_code> failure_;
};

TEST_F(SerialServerTest, PseudoTerminalsAreRecognised) {
    EXPECT_TRUE(is_pseudo_terminal(device_));
    EXPECT_FALSE(is_pseudo_terminal("/dev/null"));
    EXPECT_FALSE(is_pseudo_terminal("/no/such/device"));
}

TEST_F(SerialServerTest, RtuReadAndWrite) {
    start();
    EXPECT_EQ(rtu_transact(2, "03 00 00 00 02"), modbus::encode_rtu(2, hex("03 04 00 02 00 14")));
    EXPECT_EQ(rtu_transact(1, "06 00 03 12 34"), modbus::encode_rtu(1, hex("06 00 03 12 34")));
    EXPECT_EQ(rtu_transact(1, "03 00 03 00 01"), modbus::encode_rtu(1, hex("03 02 12 34")));
    EXPECT_EQ(rtu_transact(1, "03 00 0A 00 01"), modbus::encode_rtu(1, hex("83 02")));
    EXPECT_EQ(rtu_transact(1, "07"), modbus::encode_rtu(1, hex("87 01")));
}

TEST_F(SerialServerTest, OtherUnitsAreSilent) {
    start();
    EXPECT_FALSE(rtu_transact(9, "03 00 00 00 01", 200ms));
    EXPECT_TRUE(rtu_transact(1, "03 00 00 00 01"));
}

TEST_F(SerialServerTest, BroadcastWritesAreExecutedAndNotAnswered) {
    start();
    EXPECT_FALSE(rtu_transact(0, "06 00 05 00 2A", 200ms));
    EXPECT_EQ(rtu_transact(1, "03 00 05 00 01"), modbus::encode_rtu(1, hex("03 02 00 2A")));
    EXPECT_EQ(rtu_transact(2, "03 00 05 00 01"), modbus::encode_rtu(2, hex("03 02 00 2A")));
}

TEST_F(SerialServerTest, BadCrcIsDiscardedAndTheLineResynchronises) {
    start();
    auto bad = modbus::encode_rtu(1, hex("06 00 04 00 07"));
    bad.back() ^= 0x01;
    ASSERT_TRUE(test::write_all(master_.get(), bad));
    EXPECT_FALSE(rtu_reply(hex("06 00 04 00 07"), 200ms));
    // garbage, then a quiet line, then a good request
    ASSERT_TRUE(test::write_all(master_.get(), hex("FF 42 17 00")));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(rtu_transact(1, "03 00 04 00 01"), modbus::encode_rtu(1, hex("03 02 00 00")))
        << "the bad write must not have happened";
    EXPECT_GE(io_.call([this] { return server_->stats().bad_frames; }), 2U);
}

TEST_F(SerialServerTest, AFrameInPiecesIsAssembled) {
    start();
    const Bytes frame = modbus::encode_rtu(1, hex("03 00 01 00 01"));
    ASSERT_TRUE(test::write_all(master_.get(), Bytes(frame.begin(), frame.begin() + 3)));
    std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(test::write_all(master_.get(), Bytes(frame.begin() + 3, frame.end())));
    EXPECT_EQ(rtu_reply(hex("03 00 01 00 01")), modbus::encode_rtu(1, hex("03 02 00 14")));
}

TEST_F(SerialServerTest, APartialFrameIsDroppedAfterSilence) {
    start();
    const Bytes frame = modbus::encode_rtu(1, hex("03 00 01 00 01"));
    ASSERT_TRUE(test::write_all(master_.get(), Bytes(frame.begin(), frame.begin() + 4)));
    std::this_thread::sleep_for(150ms);  // the master gave up and retries
    ASSERT_TRUE(test::write_all(master_.get(), frame));
    EXPECT_EQ(rtu_reply(hex("03 00 01 00 01")), modbus::encode_rtu(1, hex("03 02 00 14")));
}

TEST_F(SerialServerTest, Ascii) {
    start(modbus::Framing::ascii);
    const Bytes request = hex("03 00 00 00 02");
    ASSERT_TRUE(test::write_all(master_.get(), modbus::encode_ascii(2, request)));
    EXPECT_EQ(test::read_frame(master_.get(), modbus::parse_ascii, 2000ms),
              modbus::encode_ascii(2, hex("03 04 00 02 00 14")));
    auto bad = modbus::encode_ascii(2, request);
    bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';
    ASSERT_TRUE(test::write_all(master_.get(), bad));
    EXPECT_FALSE(test::read_frame(master_.get(), modbus::parse_ascii, 200ms));
    ASSERT_TRUE(test::write_all(master_.get(), modbus::encode_ascii(1, request)));
    EXPECT_EQ(test::read_frame(master_.get(), modbus::parse_ascii, 2000ms),
              modbus::encode_ascii(1, hex("03 04 00 01 00 14")));
}

TEST_F(SerialServerTest, HangupIsReportedOnce) {
    start();
    auto failed = failure_.get_future();
    master_.reset();
    ASSERT_EQ(failed.wait_for(3s), std::future_status::ready);
    EXPECT_TRUE(failed.get());
}

TEST(SerialServerStart, MissingDeviceIsAnError) {
    DataTables tables;
    boost::asio::io_context io;
    SerialServerOptions o;
    o.device = "/no/such/tty";
    SerialServer server(io, tables, o);
    EXPECT_TRUE(server.start());
    o.device = "/dev/null";
    o.framing = modbus::Framing::mbap;
    SerialServer mbap(io, tables, o);
    EXPECT_EQ(mbap.start(), std::errc::invalid_argument);
}

}  // namespace
}  // namespace regpoll::server
