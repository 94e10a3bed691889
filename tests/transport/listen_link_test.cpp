// Listen mode (tcp+listen://, rtu+listen://) with scripted devices that dial in from
// loopback: polled once connected, requests that wait for the dial-in, a device that
// disconnects and dials in again, a newer socket replacing the old one, the allow-list.
#include "transport/listen_link.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>

#include "modbus/error.hpp"
#include "scripted_device.hpp"
#include "transport/link_factory.hpp"

namespace regpoll::transport {
namespace {

using namespace test;
using asio::ip::tcp;
using modbus::Errc;
using TcpDevice = ScriptedDevice<tcp::socket>;

void answer(TcpDevice& d, const modbus::Adu& req) {
    d.write(d.frame(req.unit, normal_answer(req.pdu), req));
}

class ListenLink : public ::testing::Test {
protected:
    std::shared_ptr<Link> make(const std::string& scheme, const std::string& query = "") {
        auto uri = parse_uri(scheme + "://127.0.0.1:0" + (query.empty() ? "" : "?" + query));
        EXPECT_TRUE(uri) << uri.error();
        LinkOptions options;
        options.log = [this](LogLevel level, const std::string& text) {
            log_.push_back(text);
            if (level == LogLevel::warning) warnings_.push_back(text);
        };
        auto link = make_link(io_, *uri, options);
        EXPECT_TRUE(link) << link.error();
        port_ = parse_uri((*link)->describe())->port;  // port 0 became a real one
        return *link;
    }
    // A device dialling in to the link, answering with `script`.
    std::shared_ptr<TcpDevice> dial_in(TcpDevice::Script script,
                                       modbus::Framing framing = modbus::Framing::mbap) {
        tcp::socket s(io_);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
        auto device = std::make_shared<TcpDevice>(std::move(s), framing, std::move(script));
        device->start();
        return device;
    }
    Outcome transact(Link& link, std::uint8_t unit, modbus::Pdu request, Milliseconds timeout = 2000ms) {
        Outcome o;
        link.async_transact(unit, std::move(request), timeout, capture(o));
        EXPECT_TRUE(run_until(io_, [&] { return o.done; }));
        return o;
    }
    asio::io_context io_;
    std::uint16_t port_ = 0;
    std::vector<std::string> log_, warnings_;
};

bool contains(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

TEST_F(ListenLink, DeviceThatDialledInIsPolled) {
    auto link = make("tcp+listen");
    EXPECT_NE(port_, 0);
    auto dev = dial_in(answer);
    auto o = transact(*link, 1, read_request(12, 2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(12, 2), o.pdu)->at(1), 13);
    // MBAP on TCP: unit 0 is an ordinary unit id, not a broadcast.
    EXPECT_FALSE(transact(*link, 0, read_request(1)).ec);
}

TEST_F(ListenLink, RequestWaitsForTheDeviceToDialIn) {
    auto link = make("tcp+listen");
    Outcome o;
    link->async_transact(1, read_request(3), 2000ms, capture(o));
    std::shared_ptr<TcpDevice> dev;
    asio::steady_timer later(io_, 300ms);
    later.async_wait([&](auto) { dev = dial_in(answer); });
    ASSERT_TRUE(run_until(io_, [&] { return o.done; }));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(3), o.pdu)->at(0), 3);
}

TEST_F(ListenLink, NoDeviceWithinTheWaitFailsTheRequest) {
    auto link = make("tcp+listen", "wait=200ms");
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, std::errc::not_connected);
    ASSERT_EQ(warnings_.size(), 1U);
    EXPECT_NE(warnings_[0].find("no device dialled in within 200ms"), std::string::npos) << warnings_[0];
}

TEST_F(ListenLink, DeviceDisconnectsAndDialsInAgain) {
    auto link = make("rtu+listen", "gap=2s");
    auto first = dial_in(answer, modbus::Framing::rtu);
    ASSERT_FALSE(transact(*link, 5, read_request(1)).ec);
    first->stream().close();  // the logger drops the connection...
    ASSERT_TRUE(run_until(io_, [&] { return contains(log_, "lost "); }));
    Outcome o;
    link->async_transact(5, read_request(2), 2000ms, capture(o));
    std::shared_ptr<TcpDevice> second;
    asio::steady_timer later(io_, 200ms);
    later.async_wait([&](auto) { second = dial_in(answer, modbus::Framing::rtu); });  // ...and is back
    ASSERT_TRUE(run_until(io_, [&] { return o.done; }));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(2), o.pdu)->at(0), 2);
    EXPECT_EQ(second->requests(), 1U);
}

TEST_F(ListenLink, NewConnectionReplacesTheOldOne) {
    auto link = make("tcp+listen");
    auto old_device = dial_in(answer);
    ASSERT_FALSE(transact(*link, 1, read_request(1)).ec);
    // The device reconnects without closing (its side of the old socket went stale).
    auto new_device = dial_in(answer);
    ASSERT_TRUE(run_until(io_, [&] { return old_device->closed_by_peer(); }));
    auto o = transact(*link, 1, read_request(2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(new_device->requests(), 1U);
    EXPECT_EQ(old_device->requests(), 1U);
}

TEST_F(ListenLink, SourceOutsideTheAllowListIsRefusedAndLogged) {
    auto link = make("tcp+listen", "allow=10.1.2.3&wait=300ms");
    auto intruder = dial_in(answer);
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, std::errc::not_connected);
    ASSERT_GE(warnings_.size(), 1U);
    EXPECT_NE(warnings_[0].find("refused connection from 127.0.0.1:"), std::string::npos) << warnings_[0];
    EXPECT_NE(warnings_[0].find("not in the allow-list"), std::string::npos) << warnings_[0];
    EXPECT_TRUE(run_until(io_, [&] { return intruder->closed_by_peer(); }));
    EXPECT_EQ(intruder->requests(), 0U);
}

TEST_F(ListenLink, ListedSourceIsAccepted) {
    auto link = make("rtu+listen", "allow=192.168.7.7,127.0.0.1");
    auto dev = dial_in(answer, modbus::Framing::rtu);
    EXPECT_FALSE(transact(*link, 1, read_request(0)).ec);
    EXPECT_TRUE(warnings_.empty());
}

TEST_F(ListenLink, CannotListenIsAnErrorAtCreation) {
    tcp::acceptor busy(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = std::to_string(busy.local_endpoint().port());
    auto taken = make_link(io_, *parse_uri("tcp+listen://127.0.0.1:" + port), {});
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error(), "tcp+listen://127.0.0.1:" + port + ": cannot listen: Address already in use");
    auto name = make_link(io_, *parse_uri("rtu+listen://localhost:5020"), {});
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error(),
              "rtu+listen://localhost:5020: \"localhost\" is not an IP address to listen on (e.g. 0.0.0.0)");
}

}  // namespace
}  // namespace regpoll::transport
