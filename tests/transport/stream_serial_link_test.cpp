// RTU and ASCII over a raw TCP connection (rtu+tcp://, ascii+tcp://) against a scripted
// converter on loopback: frames in arbitrary TCP segments, faults, reconnects. The
// converter stand-in bridged to pymodbus' serial server is in tests/integration.
#include "transport/stream_serial_link.hpp"

#include <gtest/gtest.h>

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

// Accepts connections and runs a scripted device on each.
class Converter {
public:
    Converter(asio::io_context& io, modbus::Framing framing, TcpDevice::Script script)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          framing_(framing),
          script_(std::move(script)) {
        accept();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::size_t accepted() const { return devices_.size(); }

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            devices_.push_back(std::make_shared<TcpDevice>(std::move(s), framing_, script_));
            devices_.back()->start();
            accept();
        });
    }
    tcp::acceptor acceptor_;
    modbus::Framing framing_;
    TcpDevice::Script script_;
    std::vector<std::shared_ptr<TcpDevice>> devices_;
};

std::shared_ptr<Link> make(asio::io_context& io, const std::string& text) {
    auto uri = parse_uri(text);
    EXPECT_TRUE(uri) << uri.error();
    auto link = make_link(io, *uri, {});
    EXPECT_TRUE(link) << link.error();
    return *link;
}

Outcome transact(asio::io_context& io, Link& link, std::uint8_t unit, modbus::Pdu request,
                 Milliseconds timeout = 2000ms) {
    Outcome o;
    link.async_transact(unit, std::move(request), timeout, capture(o));
    EXPECT_TRUE(run_until(io, [&] { return o.done; }));
    return o;
}

std::string local(const std::string& scheme, std::uint16_t port, const std::string& query = "") {
    return scheme + "://127.0.0.1:" + std::to_string(port) + (query.empty() ? "" : "?" + query);
}

TEST(StreamSerialLink, RtuFramesAreReassembledFromArbitrarySegments) {
    asio::io_context io;
    const std::vector<std::vector<std::size_t>> splits{
        {}, {1}, {2}, {3, 4}, {7}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
    std::size_t n = 0;
    Converter converter(io, modbus::Framing::rtu, [&](TcpDevice& d, const modbus::Adu& req) {
        d.write_pieces(d.frame(req.unit, normal_answer(req.pdu), req), splits[n++ % splits.size()], 3ms);
    });
    auto link = make(io, local("rtu+tcp", converter.port()));
    for (std::uint16_t i = 0; i < splits.size(); ++i) {
        auto o = transact(io, *link, 3, read_request(i, 4));  // 13-byte answers
        ASSERT_FALSE(o.ec) << "split " << i << ": " << o.ec.message();
        EXPECT_EQ(modbus::parse_registers(read_request(i, 4), o.pdu)->at(3), i + 3);
    }
    EXPECT_EQ(converter.accepted(), 1U);
}

TEST(StreamSerialLink, FaultsAreErrorsAndTheStreamRecovers) {
    asio::io_context io;
    std::size_t n = 0;
    Converter converter(io, modbus::Framing::rtu, [&](TcpDevice& d, const modbus::Adu& req) {
        Bytes good = d.frame(req.unit, normal_answer(req.pdu), req);
        switch (n++) {
            case 0: good.back() ^= 0x55; return d.write(good);  // bad CRC
            case 1: return d.write(d.frame(9, normal_answer(req.pdu), req));  // wrong unit
            case 2: return d.write(d.frame(req.unit, modbus::Pdu{0x83, 0x04}, req));
            case 3: return;  // silence
            default: return d.write(good);
        }
    });
    auto link = make(io, local("rtu+tcp", converter.port()));
    EXPECT_EQ(transact(io, *link, 1, read_request(0)).ec, Errc::bad_crc);
    EXPECT_EQ(transact(io, *link, 1, read_request(0)).ec, Errc::unit_mismatch);
    EXPECT_EQ(transact(io, *link, 1, read_request(0)).ec.message(),
              "exception SERVER DEVICE FAILURE (4)");
    EXPECT_EQ(transact(io, *link, 1, read_request(0), 200ms).ec, Errc::timeout);
    auto o = transact(io, *link, 1, read_request(8));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(8), o.pdu)->at(0), 8);
    EXPECT_EQ(link->stats().errors, 4U);
}

TEST(StreamSerialLink, ReconnectsAfterTheConverterClosed) {
    asio::io_context io;
    std::size_t n = 0;
    Converter converter(io, modbus::Framing::rtu, [&](TcpDevice& d, const modbus::Adu& req) {
        if (n++ == 0) return d.stream().close();  // converters drop idle clients
        d.write(d.frame(req.unit, normal_answer(req.pdu), req));
    });
    auto link = make(io, local("rtu+tcp", converter.port()));
    EXPECT_EQ(transact(io, *link, 1, read_request(1)).ec, Errc::connection_closed);
    auto o = transact(io, *link, 1, read_request(2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(converter.accepted(), 2U);
}

TEST(StreamSerialLink, RefusedConnectionBacksOff) {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }
    auto link = make(io, local("rtu+tcp", port));
    EXPECT_EQ(transact(io, *link, 1, read_request(0)).ec, std::errc::connection_refused);
    EXPECT_EQ(transact(io, *link, 1, read_request(0)).ec, std::errc::connection_refused);
    EXPECT_EQ(link->stats().connects, 1U);
}

TEST(StreamSerialLink, AsciiOverTcp) {
    asio::io_context io;
    Converter converter(io, modbus::Framing::ascii, [&](TcpDevice& d, const modbus::Adu& req) {
        d.write_pieces(d.frame(req.unit, normal_answer(req.pdu), req), {1, 5, 12}, 3ms);
    });
    auto link = make(io, local("ascii+tcp", converter.port()));
    auto o = transact(io, *link, 17, read_request(100, 3));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(100, 3), o.pdu)->at(2), 102);
}

TEST(StreamSerialLink, BroadcastThroughTheConverter) {
    asio::io_context io;
    Converter converter(io, modbus::Framing::rtu, [](TcpDevice&, const modbus::Adu&) {});
    auto link = make(io, local("rtu+tcp", converter.port(), "turnaround=150ms"));
    const auto sent = Clock::now();
    auto o = transact(io, *link, 0, modbus::make_write_single_coil(3, true));
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_TRUE(o.pdu.empty());
    EXPECT_GE(o.at - sent, 150ms);
}

}  // namespace
}  // namespace regpoll::transport
