// The TCP server on loopback, driven by plain sockets: many clients, pipelining, the
// single-connection device, injected faults and RTU over TCP.
#include "server/tcp_server.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <boost/asio/post.hpp>

#include "bytes.hpp"
#include "modbus/mbap.hpp"
#include "modbus/rtu.hpp"
#include "test_io.hpp"

namespace regpoll::server {
namespace {

using namespace std::chrono_literals;
using test::Bytes;
using test::hex;
using test::to_hex;

class TcpServerTest : public ::testing::Test {
  protected:
    TcpServerTest() {
        for (std::uint8_t unit : {1, 2}) {
            UnitTables& t = tables_.add_unit(unit);
            t.map(RegisterKind::holding, 0, 100);
            t.set_registers(RegisterKind::holding, 0, std::vector<std::uint16_t>{unit, 20, 30});
        }
    }
    ~TcpServerTest() override {
        if (server_) io_.stop([this] { server_->stop(); });
    }

    void start(TcpServerOptions options = {}) {
        options.host = "127.0.0.1";
        options.port = 0;
        server_ = std::make_unique<TcpServer>(io_.io(), tables_, options);
        ASSERT_FALSE(server_->start());
        port_ = server_->port();
        ASSERT_NE(port_, 0);
        io_.start();
    }

    static std::optional<Bytes> read_mbap(int fd, test::Millis timeout = 2000ms,
                                          Bytes* rest = nullptr) {
        return test::read_frame(fd, modbus::parse_mbap, timeout, rest);
    }

    // One MBAP transaction on `fd`; the reply's bytes, or "" on timeout.
    static std::string transact(int fd, std::uint16_t tid, std::uint8_t unit,
                                const std::string& pdu) {
        if (!test::write_all(fd, modbus::encode_mbap(tid, unit, hex(pdu)))) return "write failed";
        auto reply = read_mbap(fd);
        return reply ? to_hex(*reply) : "";
    }

    DataTables tables_;
    test::IoThread io_;
    std::unique_ptr<TcpServer> server_;
    std::uint16_t port_ = 0;
};

TEST_F(TcpServerTest, ServesManyConnectionsAtOnce) {
    start();
    std::vector<test::Fd> clients;
    for (int i = 0; i < 50; ++i) {
        clients.push_back(test::connect_tcp(port_));
        ASSERT_TRUE(clients.back().valid());
    }
    // every client sends before any reads
    for (std::size_t i = 0; i < clients.size(); ++i) {
        ASSERT_TRUE(test::write_all(
            clients[i].get(),
            modbus::encode_mbap(static_cast<std::uint16_t>(i), 1, hex("03 00 00 00 02"))));
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        auto reply = read_mbap(clients[i].get());
        ASSERT_TRUE(reply) << "client " << i;
        EXPECT_EQ(*reply,
                  modbus::encode_mbap(static_cast<std::uint16_t>(i), 1, hex("03 04 00 01 00 14")));
    }
    EXPECT_EQ(io_.call([this] { return server_->open_connections(); }), 50U);
    EXPECT_EQ(io_.call([this] { return server_->stats().connections; }), 50U);
}

TEST_F(TcpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    start();
    test::Fd c = test::connect_tcp(port_);
    Bytes burst;
    for (std::uint16_t tid = 1; tid <= 30; ++tid) {
        const auto one = modbus::encode_mbap(tid, tid % 2 ? 1 : 2, hex("03 00 00 00 01"));
        burst.insert(burst.end(), one.begin(), one.end());
    }
    ASSERT_TRUE(test::write_all(c.get(), burst));
    Bytes rest;
    for (std::uint16_t tid = 1; tid <= 30; ++tid) {
        auto reply = read_mbap(c.get(), 2000ms, &rest);
        ASSERT_TRUE(reply) << tid;
        const std::uint8_t unit = tid % 2 ? 1 : 2;
        EXPECT_EQ(*reply, modbus::encode_mbap(tid, unit, Bytes{0x03, 0x02, 0x00, unit}));
    }
}

TEST_F(TcpServerTest, WritesFromOneClientAreSeenByAnother) {
    start();
    test::Fd a = test::connect_tcp(port_);
    test::Fd b = test::connect_tcp(port_);
    EXPECT_EQ(transact(a.get(), 1, 2, "10 00 05 00 02 04 12 34 56 78"),
              "00 01 00 00 00 06 02 10 00 05 00 02");
    EXPECT_EQ(transact(b.get(), 9, 2, "03 00 05 00 02"), "00 09 00 00 00 07 02 03 04 12 34 56 78");
    EXPECT_EQ(transact(b.get(), 10, 1, "03 00 05 00 01"), "00 0A 00 00 00 05 01 03 02 00 00");
}

TEST_F(TcpServerTest, UnknownUnitGetsTheGatewayException) {
    start();
    test::Fd c = test::connect_tcp(port_);
    EXPECT_EQ(transact(c.get(), 3, 7, "03 00 00 00 01"), "00 03 00 00 00 03 07 83 0B");
}

TEST_F(TcpServerTest, SingleConnectionDeviceDropsTheOldClient) {
    TcpServerOptions o;
    o.single_connection = true;
    start(o);
    test::Fd first = test::connect_tcp(port_);
    EXPECT_EQ(transact(first.get(), 1, 1, "03 00 00 00 01"), "00 01 00 00 00 05 01 03 02 00 01");
    test::Fd second = test::connect_tcp(port_);
    EXPECT_EQ(transact(second.get(), 2, 1, "03 00 00 00 01"), "00 02 00 00 00 05 01 03 02 00 01");
    EXPECT_TRUE(test::wait_closed(first.get(), 2000ms));
    EXPECT_EQ(transact(second.get(), 3, 1, "03 00 01 00 01"), "00 03 00 00 00 05 01 03 02 00 14");
}

TEST_F(TcpServerTest, MaxConnectionsRefusesTheRest) {
    TcpServerOptions o;
    o.max_connections = 1;
    start(o);
    test::Fd first = test::connect_tcp(port_);
    EXPECT_EQ(transact(first.get(), 1, 1, "03 00 00 00 01"), "00 01 00 00 00 05 01 03 02 00 01");
    test::Fd second = test::connect_tcp(port_);
    EXPECT_TRUE(test::wait_closed(second.get(), 2000ms));
    EXPECT_EQ(transact(first.get(), 2, 1, "03 00 00 00 01"), "00 02 00 00 00 05 01 03 02 00 01");
}

TEST_F(TcpServerTest, ANonModbusStreamIsClosed) {
    start();
    test::Fd c = test::connect_tcp(port_);
    ASSERT_TRUE(test::write_all(c.get(), hex("00 01 00 01 00 06 01 03 00 00 00 01")));
    EXPECT_TRUE(test::wait_closed(c.get(), 2000ms));
    EXPECT_EQ(io_.call([this] { return server_->stats().bad_frames; }), 1U);
}

TEST_F(TcpServerTest, DelayedRepliesKeepTheirOrder) {
    TcpServerOptions o;
    o.faults.delay = 60ms;
    start(o);
    test::Fd c = test::connect_tcp(port_);
    auto burst = modbus::encode_mbap(1, 1, hex("03 00 00 00 01"));
    const auto second = modbus::encode_mbap(2, 1, hex("03 00 01 00 01"));
    burst.insert(burst.end(), second.begin(), second.end());
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(test::write_all(c.get(), burst));
    Bytes rest;
    auto r1 = read_mbap(c.get(), 3000ms, &rest);
    auto r2 = read_mbap(c.get(), 3000ms, &rest);
    ASSERT_TRUE(r1 && r2);
    EXPECT_EQ(to_hex(*r1), "00 01 00 00 00 05 01 03 02 00 01");
    EXPECT_EQ(to_hex(*r2), "00 02 00 00 00 05 01 03 02 00 14");
    // one device: the second request waits for the first (a lower bound only)
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 120ms);
}

// A device answers `delay` after the request reached it. The server's thread is busy
// (another device's work, a loaded machine) when the request arrives: the delay still
// runs from the arrival (the kernel's receive time), not from when the server read it.
TEST_F(TcpServerTest, AReplyDelayRunsFromTheRequestsArrivalNotFromWhenTheServerReadIt) {
    TcpServerOptions o;
    o.faults.delay = 500ms;
    start(o);
    test::Fd c = test::connect_tcp(port_);
    // A first transaction: the system turns receive stamps on shortly after the first
    // socket asks (the first bytes may come unstamped, and then count from their read).
    EXPECT_EQ(transact(c.get(), 1, 1, "03 00 00 00 01"), "00 01 00 00 00 05 01 03 02 00 01");
    std::promise<void> busy;
    boost::asio::post(io_.io(), [&busy] {
        busy.set_value();
        std::this_thread::sleep_for(400ms);
    });
    busy.get_future().wait();
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_mbap(2, 1, hex("03 00 01 00 01"))));
    auto reply = read_mbap(c.get(), 3000ms);
    const auto took = std::chrono::steady_clock::now() - sent;
    ASSERT_TRUE(reply);
    EXPECT_EQ(to_hex(*reply), "00 02 00 00 00 05 01 03 02 00 14");
    EXPECT_GE(took, 500ms);
    // Counted from the read it would be 900 ms; 350 ms of margin for a slow machine.
    EXPECT_LT(took, 850ms);
}

TEST_F(TcpServerTest, InjectedDisconnectClosesTheConnection) {
    TcpServerOptions o;
    o.faults.disconnect_rate = 1;
    start(o);
    test::Fd c = test::connect_tcp(port_);
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_mbap(1, 1, hex("03 00 00 00 01"))));
    EXPECT_TRUE(test::wait_closed(c.get(), 2000ms));
}

TEST_F(TcpServerTest, DroppedRepliesAreNeverSent) {
    TcpServerOptions o;
    o.faults.drop_rate = 1;
    start(o);
    test::Fd c = test::connect_tcp(port_);
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_mbap(1, 1, hex("06 00 09 00 63"))));
    EXPECT_FALSE(read_mbap(c.get(), 200ms));
    EXPECT_EQ(
        io_.call([this] { return (*tables_.unit(1)->registers(RegisterKind::holding, 9, 1))[0]; }),
        0x63);
}

TEST_F(TcpServerTest, RtuFramesOverTcp) {
    TcpServerOptions o;
    o.framing = modbus::Framing::rtu;
    o.serve.unknown_unit = UnknownUnit::silent;
    start(o);
    test::Fd c = test::connect_tcp(port_);
    const auto request = hex("03 00 00 00 02");
    auto parse = [&](std::span<const std::uint8_t> b) {
        return modbus::parse_rtu(b, modbus::Direction::response, request);
    };
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_rtu(2, request)));
    EXPECT_EQ(test::read_frame(c.get(), parse, 2000ms),
              modbus::encode_rtu(2, hex("03 04 00 02 00 14")));
    auto bad = modbus::encode_rtu(2, request);
    bad.back() ^= 0xFF;
    ASSERT_TRUE(test::write_all(c.get(), bad));
    EXPECT_FALSE(test::read_frame(c.get(), parse, 200ms)) << "a bad CRC gets no reply";
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_rtu(9, request)));
    EXPECT_FALSE(test::read_frame(c.get(), parse, 200ms)) << "nobody is unit 9";
    ASSERT_TRUE(test::write_all(c.get(), modbus::encode_rtu(1, request)));
    EXPECT_EQ(test::read_frame(c.get(), parse, 2000ms),
              modbus::encode_rtu(1, hex("03 04 00 01 00 14")));
}

TEST_F(TcpServerTest, StopClosesEveryConnection) {
    start();
    test::Fd a = test::connect_tcp(port_);
    test::Fd b = test::connect_tcp(port_);
    EXPECT_EQ(transact(a.get(), 1, 1, "03 00 00 00 01").empty(), false);
    io_.call([this] { server_->stop(); });
    EXPECT_TRUE(test::wait_closed(a.get(), 2000ms));
    EXPECT_TRUE(test::wait_closed(b.get(), 2000ms));
    EXPECT_FALSE(test::connect_tcp(port_).valid());
}

TEST(TcpServerStart, AnAddressInUseIsAnError) {
    DataTables tables;
    boost::asio::io_context io;
    TcpServerOptions o;
    o.port = 0;
    TcpServer first(io, tables, o);
    ASSERT_FALSE(first.start());
    o.port = first.port();
    TcpServer second(io, tables, o);
    EXPECT_EQ(second.start(), std::errc::address_in_use);
    o.host = "no-such-host.invalid";
    TcpServer third(io, tables, o);
    EXPECT_TRUE(third.start());
}

}  // namespace
}  // namespace regpoll::server
