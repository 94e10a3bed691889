// Component tests of the TCP link against a scripted server on loopback: the fault cases
// a real peer will not produce on demand (late and stray answers, wrong unit, fragments,
// closes). The happy path against an independent server is in tests/integration.
#include "transport/tcp_link.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "modbus/error.hpp"
#include "modbus/mbap.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Accepts connections; for every request calls `script`, which answers by writing bytes
// (possibly late, fragmented, or not at all).
class ScriptedServer {
public:
    using Script = std::function<void(tcp::socket&, const modbus::Adu&, std::vector<std::uint8_t> raw)>;

    ScriptedServer(asio::io_context& io, Script script)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          script_(std::move(script)) {
        accept();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int accepted() const { return accepted_; }
    void close_all() {
        for (auto& s : sockets_) s->close();
    }

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
            if (ec) return;
            ++accepted_;
            auto sock = std::make_shared<tcp::socket>(std::move(s));
            sockets_.push_back(sock);
            read(sock, std::make_shared<std::vector<std::uint8_t>>());
            accept();
        });
    }
    void read(std::shared_ptr<tcp::socket> sock, std::shared_ptr<std::vector<std::uint8_t>> buf) {
        auto chunk = std::make_shared<std::array<std::uint8_t, 512>>();
        sock->async_read_some(asio::buffer(*chunk), [this, sock, buf, chunk](boost::system::error_code ec, std::size_t n) {
            if (ec) return;
            buf->insert(buf->end(), chunk->begin(), chunk->begin() + static_cast<long>(n));
            while (true) {
                auto r = modbus::parse_mbap(*buf);
                if (r.status != modbus::ParseResult::Status::frame) break;
                std::vector<std::uint8_t> raw(buf->begin(), buf->begin() + static_cast<long>(r.consumed));
                buf->erase(buf->begin(), buf->begin() + static_cast<long>(r.consumed));
                script_(*sock, r.adu, raw);
            }
            read(sock, buf);
        });
    }

    tcp::acceptor acceptor_;
    Script script_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    int accepted_ = 0;
};

// A holding-register read answered with register value = address.
std::vector<std::uint8_t> answer(const modbus::Adu& req, std::uint8_t unit_override = 0) {
    const std::uint16_t address = modbus::get_u16(req.pdu, 1);
    modbus::Pdu pdu{0x03, 0x02};
    modbus::put_u16(pdu, address);
    return modbus::encode_mbap(req.transaction, unit_override ? unit_override : req.unit, pdu);
}

void write_now(tcp::socket& s, const std::vector<std::uint8_t>& bytes) {
    asio::write(s, asio::buffer(bytes));
}

struct Outcome {
    bool done = false;
    std::error_code ec;
    modbus::Pdu pdu;
};

Handler capture(Outcome& o) {
    return [&o](std::error_code ec, modbus::Pdu pdu) {
        o.done = true;
        o.ec = ec;
        o.pdu = std::move(pdu);
    };
}

Uri local(std::uint16_t port) { return *parse_uri("tcp://127.0.0.1:" + std::to_string(port)); }

void run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;  // a hang fails, never blocks CI
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(50ms);
}

modbus::Pdu read_req(std::uint16_t address) {
    return *modbus::make_read_request(modbus::Function::read_holding_registers, address, 1);
}

TEST(TcpLink, ResponseSplitIntoFragmentsIsReassembled) {
    asio::io_context io;
    ScriptedServer server(io, [](tcp::socket& s, const modbus::Adu& req, auto) {
        auto bytes = answer(req);
        for (auto b : bytes) write_now(s, {b});  // one byte per segment
    });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome o;
    link->async_transact(1, read_req(42), 1s, capture(o));
    run_until(io, [&] { return o.done; });
    ASSERT_FALSE(o.ec) << o.ec.message();
    auto regs = modbus::parse_registers(read_req(42), o.pdu);
    ASSERT_TRUE(regs);
    EXPECT_EQ(regs->at(0), 42);
}

TEST(TcpLink, LateResponseIsDiscardedNotMatchedToTheNextRequest) {
    asio::io_context io;
    int count = 0;
    std::vector<std::uint8_t> held;
    ScriptedServer server(io, [&](tcp::socket& s, const modbus::Adu& req, auto) {
        if (++count == 1) {
            held = answer(req);  // first request: answer only after the master gave up
            return;
        }
        write_now(s, held);          // the late answer to request 1 ...
        write_now(s, answer(req));   // ... then the real answer to request 2
    });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome first, second;
    link->async_transact(1, read_req(1), 100ms, capture(first));
    run_until(io, [&] { return first.done; });
    EXPECT_EQ(first.ec, modbus::Errc::timeout);
    link->async_transact(1, read_req(2), 1s, capture(second));
    run_until(io, [&] { return second.done; });
    ASSERT_FALSE(second.ec) << second.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_req(2), second.pdu)->at(0), 2);
    EXPECT_EQ(link->stats().stray_frames, 1U);
    EXPECT_EQ(link->stats().timeouts, 1U);
}

TEST(TcpLink, ResponseFromTheWrongUnitIsAnError) {
    asio::io_context io;
    ScriptedServer server(io, [](tcp::socket& s, const modbus::Adu& req, auto) { write_now(s, answer(req, 9)); });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome o;
    link->async_transact(1, read_req(5), 1s, capture(o));
    run_until(io, [&] { return o.done; });
    EXPECT_EQ(o.ec, modbus::Errc::unit_mismatch);
}

TEST(TcpLink, ExceptionReplyIsATypedError) {
    asio::io_context io;
    ScriptedServer server(io, [](tcp::socket& s, const modbus::Adu& req, auto) {
        write_now(s, modbus::encode_mbap(req.transaction, req.unit, modbus::Pdu{0x83, 0x02}));
    });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome o;
    link->async_transact(1, read_req(5), 1s, capture(o));
    run_until(io, [&] { return o.done; });
    EXPECT_EQ(o.ec.message(), "exception ILLEGAL DATA ADDRESS (2)");
}

TEST(TcpLink, ConnectionRefusedFailsFastAndBacksOff) {
    asio::io_context io;
    std::uint16_t port;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }  // closed again: nothing listens there now
    auto link = make_tcp_link(io, local(port), {});
    Outcome a, b;
    link->async_transact(1, read_req(0), 1s, capture(a));
    run_until(io, [&] { return a.done; });
    EXPECT_EQ(a.ec, std::errc::connection_refused);
    // Within the back-off window a dead device costs nothing: no new connect attempt.
    link->async_transact(1, read_req(0), 1s, capture(b));
    run_until(io, [&] { return b.done; });
    EXPECT_EQ(b.ec, std::errc::connection_refused);
    EXPECT_EQ(link->stats().connects, 1U);
}

// A listener whose accept queue is full drops further SYNs, so a connect to it neither
// succeeds nor fails: the connect timeout ends it, and a request made later on the same link
// is timed by the same timer once a connection stands.
TEST(TcpLink, ConnectThatHangsTimesOutAndTheLinkStillTimesRequests) {
    asio::io_context io;
    tcp::acceptor full(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    full.listen(0);
    std::vector<tcp::socket> queued;  // fill the accept queue (nothing ever accepts them)
    for (int i = 0; i < 4; ++i) {
        queued.emplace_back(io);
        queued.back().async_connect(full.local_endpoint(), [](boost::system::error_code) {});
    }
    TcpOptions options;
    options.connect_timeout = 200ms;
    options.reconnect_initial = 1ms;
    auto link = make_tcp_link(io, local(full.local_endpoint().port()), options);
    Outcome a;
    const auto start = std::chrono::steady_clock::now();
    link->async_transact(1, read_req(0), 5s, capture(a));
    run_until(io, [&] { return a.done; });
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(a.ec, modbus::Errc::timeout) << a.ec.message();
    EXPECT_GE(took, 200ms);

    // Now a device that accepts and never answers: the request's own timeout applies.
    ScriptedServer silent(io, [](tcp::socket&, const modbus::Adu&, auto) {});
    auto link2 = make_tcp_link(io, local(silent.port()), options);
    Outcome b, c;
    link2->async_transact(1, read_req(1), 150ms, capture(b));
    run_until(io, [&] { return b.done; });
    EXPECT_EQ(b.ec, modbus::Errc::timeout) << b.ec.message();
    EXPECT_EQ(link2->stats().connects, 1U);
    EXPECT_EQ(link2->stats().timeouts, 1U);
    // Still connected: the next request times out on the same connection, not on a new one.
    link2->async_transact(1, read_req(2), 150ms, capture(c));
    run_until(io, [&] { return c.done; });
    EXPECT_EQ(c.ec, modbus::Errc::timeout) << c.ec.message();
    EXPECT_EQ(link2->stats().connects, 1U);
    EXPECT_EQ(silent.accepted(), 1);
}

// Quiet times some devices need: nothing is sent before pause_after_connect has passed since
// the connect, nor sooner than pause_between_requests after the previous answer.
TEST(TcpLink, PausesAfterConnectAndBetweenRequests) {
    asio::io_context io;
    std::vector<std::chrono::steady_clock::time_point> arrived;
    ScriptedServer server(io, [&](tcp::socket& s, const modbus::Adu& req, auto) {
        arrived.push_back(std::chrono::steady_clock::now());
        write_now(s, answer(req));
    });
    TcpOptions options;
    options.pause_after_connect = 150ms;
    options.pause_between_requests = 100ms;
    auto link = make_tcp_link(io, local(server.port()), options);
    Outcome o[3];
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) link->async_transact(1, read_req(static_cast<std::uint16_t>(20 + i)), 2s, capture(o[i]));
    run_until(io, [&] { return o[0].done && o[1].done && o[2].done; });
    for (int i = 0; i < 3; ++i) {
        ASSERT_FALSE(o[i].ec) << i << ": " << o[i].ec.message();
        EXPECT_EQ(modbus::parse_registers(read_req(0), o[i].pdu)->at(0), 20 + i);
    }
    ASSERT_EQ(arrived.size(), 3U);
    EXPECT_GE(arrived[0] - start, 150ms);
    EXPECT_GE(arrived[1] - arrived[0], 100ms);
    EXPECT_GE(arrived[2] - arrived[1], 100ms);
    EXPECT_EQ(server.accepted(), 1);
}

TEST(TcpLink, ReconnectsAfterThePeerClosed) {
    asio::io_context io;
    ScriptedServer* self = nullptr;
    int count = 0;
    ScriptedServer server(io, [&](tcp::socket& s, const modbus::Adu& req, auto) {
        if (++count == 1) {
            s.close();  // a single-connection device dropping us
            (void)self;
            return;
        }
        write_now(s, answer(req));
    });
    self = &server;
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome a, b;
    link->async_transact(1, read_req(1), 1s, capture(a));
    run_until(io, [&] { return a.done; });
    EXPECT_EQ(a.ec, modbus::Errc::connection_closed);
    link->async_transact(1, read_req(2), 1s, capture(b));
    run_until(io, [&] { return b.done; });
    ASSERT_FALSE(b.ec) << b.ec.message();
    EXPECT_EQ(server.accepted(), 2);
}

TEST(TcpLink, PipelinesUpToMaxInFlightAndMatchesOutOfOrderAnswers) {
    asio::io_context io;
    std::vector<modbus::Adu> pending;
    ScriptedServer server(io, [&](tcp::socket& s, const modbus::Adu& req, auto) {
        pending.push_back(req);
        if (pending.size() == 3) {  // answer in reverse order once all three arrived
            for (auto it = pending.rbegin(); it != pending.rend(); ++it) write_now(s, answer(*it));
        }
    });
    TcpOptions options;
    options.max_in_flight = 3;
    auto link = make_tcp_link(io, local(server.port()), options);
    Outcome o[3];
    for (int i = 0; i < 3; ++i) link->async_transact(1, read_req(static_cast<std::uint16_t>(10 + i)), 1s, capture(o[i]));
    run_until(io, [&] { return o[0].done && o[1].done && o[2].done; });
    for (int i = 0; i < 3; ++i) {
        ASSERT_FALSE(o[i].ec) << o[i].ec.message();
        EXPECT_EQ(modbus::parse_registers(read_req(0), o[i].pdu)->at(0), 10 + i);
    }
}

// A read of `count` holding registers answered with register value = its address.
std::vector<std::uint8_t> answer_all(const modbus::Adu& req) {
    const std::uint16_t address = modbus::get_u16(req.pdu, 1);
    const std::uint16_t count = modbus::get_u16(req.pdu, 3);
    modbus::Pdu pdu{0x03, static_cast<std::uint8_t>(2 * count)};
    for (std::uint16_t i = 0; i < count; ++i) modbus::put_u16(pdu, static_cast<std::uint16_t>(address + i));
    return modbus::encode_mbap(req.transaction, req.unit, pdu);
}

modbus::Pdu read_many(std::uint16_t address, std::uint16_t count) {
    return *modbus::make_read_request(modbus::Function::read_holding_registers, address, count);
}

// The receive buffer is sized to the answers awaited: a frame larger than that (here an
// unsolicited 257-byte answer, a stray, while one register is awaited on a fresh
// connection) must still be read whole, and the buffer then serves the largest answers.
TEST(TcpLink, FramesLargerThanTheAwaitedAnswerAreReadWhole) {
    asio::io_context io;
    int count = 0;
    ScriptedServer server(io, [&](tcp::socket& s, const modbus::Adu& req, auto) {
        std::vector<std::uint8_t> bytes;
        if (++count == 1) {
            modbus::Adu stray = req;
            stray.transaction = static_cast<std::uint16_t>(req.transaction + 1000);
            stray.pdu = read_many(500, 125);
            bytes = answer_all(stray);
        }
        auto now = answer_all(req);
        bytes.insert(bytes.end(), now.begin(), now.end());
        write_now(s, bytes);  // the stray and the awaited answer in one segment
    });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome small, large;
    link->async_transact(1, read_many(7, 1), 1s, capture(small));
    run_until(io, [&] { return small.done; });
    ASSERT_FALSE(small.ec) << small.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_many(7, 1), small.pdu)->at(0), 7);
    EXPECT_EQ(link->stats().stray_frames, 1U);
    link->async_transact(1, read_many(300, 125), 1s, capture(large));
    run_until(io, [&] { return large.done; });
    ASSERT_FALSE(large.ec) << large.ec.message();
    auto regs = modbus::parse_registers(read_many(300, 125), large.pdu);
    ASSERT_TRUE(regs);
    ASSERT_EQ(regs->size(), 125U);
    for (std::uint16_t i = 0; i < 125; ++i) EXPECT_EQ(regs->at(i), 300 + i);
    EXPECT_EQ(server.accepted(), 1);  // all on one connection: no frame was cut
}

TEST(TcpLink, ProtocolGarbageDropsTheConnection) {
    asio::io_context io;
    ScriptedServer server(io, [](tcp::socket& s, const modbus::Adu&, auto) {
        write_now(s, {0x00, 0x01, 0x12, 0x34, 0x00, 0x03, 0x01, 0x03, 0x00});
    });
    auto link = make_tcp_link(io, local(server.port()), {});
    Outcome o;
    link->async_transact(1, read_req(5), 1s, capture(o));
    run_until(io, [&] { return o.done; });
    EXPECT_EQ(o.ec, modbus::Errc::protocol_mismatch);
}

}  // namespace
}  // namespace regpoll::transport
