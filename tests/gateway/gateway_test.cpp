// Component tests of the gateway: a real poller and gateway on one event loop (their own
// thread), regpoll's TCP server as the device on another, and test clients on blocking
// loopback sockets. What a client gets, and what the device sees.
#include "gateway/gateway.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "modbus/mbap.hpp"
#include "server_thread.hpp"
#include "site_text.hpp"

namespace regpoll::gateway {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Bytes = std::vector<std::uint8_t>;
using modbus::RegisterKind;
using poll::testing::ServerThread;
using namespace std::chrono_literals;

class NullSink final : public poll::SampleSink {
  public:
    void on_samples(std::span<const poll::Sample>) override {}
    void on_availability(const std::string&, bool) override {}
};

// The poller and one gateway on an event loop of their own thread.
class Running {
  public:
    explicit Running(const std::string& site_text) {
        auto site = testing::load_site_text(site_text);
        if (!site.config || site.gateways.empty())
            throw std::runtime_error("bad test config: " + site.errors());
        poller_ = std::make_unique<poll::Poller>(io_, site.config, sink_);
        poller_->start();
        auto config = site.gateways[0];
        config.port = 0;  // a free one (a configuration names its port)
        gateway_ = std::make_unique<Gateway>(io_, config, *poller_);
        if (auto ec = gateway_->start()) throw std::runtime_error("gateway: " + ec.message());
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Running() {
        on_loop([this] {
            gateway_->stop();
            poller_->stop();
            return 0;
        });
        work_.reset();
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return gateway_->port(); }
    GatewayStats stats() {
        return on_loop([this] { return gateway_->stats(); });
    }
    bool offline() {
        return on_loop([this] { return poller_->offline(0); });
    }
    template <class F>
    auto on_loop(F f) -> decltype(f()) {
        std::promise<decltype(f())> answer;
        asio::post(io_, [&] { answer.set_value(f()); });
        return answer.get_future().get();
    }

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    NullSink sink_;
    std::unique_ptr<poll::Poller> poller_;
    std::unique_ptr<Gateway> gateway_;
    std::thread thread_;
};

// A Modbus TCP client on a blocking socket; a read that gets nothing for 10 s fails.
class Client {
  public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        const timeval limit{10, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    }
    void send(std::uint8_t unit, const Bytes& pdu) {
        asio::write(socket_, asio::buffer(modbus::encode_mbap(++transaction_, unit, pdu)));
    }
    void send_raw(const Bytes& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    // The next answer's PDU; empty when the connection closed or nothing came.
    Bytes receive() {
        Bytes header(7);
        boost::system::error_code ec;
        asio::read(socket_, asio::buffer(header), ec);
        if (ec) return {};
        Bytes pdu(static_cast<std::size_t>(modbus::get_u16(header, 4)) - 1);
        asio::read(socket_, asio::buffer(pdu), ec);
        return ec ? Bytes{} : pdu;
    }
    Bytes ask(std::uint8_t unit, const Bytes& pdu) {
        send(unit, pdu);
        return receive();
    }
    // True when the gateway closed the connection (a read ends with EOF).
    bool closed_by_peer() {
        std::uint8_t byte = 0;
        boost::system::error_code ec;
        socket_.read_some(asio::buffer(&byte, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }

  private:
    asio::io_context io_;
    tcp::socket socket_;
    std::uint16_t transaction_ = 0;
};

void fill_device(server::UnitTables& t) {
    const std::uint16_t holding[] = {11, 22, 33, 44};
    t.set_registers(RegisterKind::holding, 0, holding);
    const std::uint16_t level[] = {0x4040, 0};  // 3.0
    t.set_registers(RegisterKind::holding, 10, level);
    const std::uint16_t unpolled[] = {500, 501};
    t.set_registers(RegisterKind::holding, 100, unpolled);
    t.set_bits(RegisterKind::coil, 0, {true});
}

std::string site(std::uint16_t device_port, const std::string& gateway_fields,
                 const std::string& extra = "") {
    return testing::site_json(
        "tcp://127.0.0.1:" + std::to_string(device_port), testing::test_device("box", 1),
        R"(, "gateway": [ { "listen": "tcp://127.0.0.1:1502")" + gateway_fields + " } ]" + extra);
}

// Waits until the device has answered a poll (its values are held).
void wait_polled(ServerThread& device) {
    for (int i = 0; i < 1000 && device.requests() < 3; ++i) std::this_thread::sleep_for(10ms);
}

TEST(Gateway, ReadsAreAnsweredFromHeldValuesAndTheDeviceSeesOneConnection) {
    server::TcpServerOptions one;
    one.single_connection = true;
    ServerThread device(fill_device, one);
    Running gw(site(device.port(), R"(, "max_age": "1h")"));
    wait_polled(device);
    Client a(gw.port());
    Client b(gw.port());
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(a.ask(1, {3, 0, 0, 0, 4}), (Bytes{3, 8, 0, 11, 0, 22, 0, 33, 0, 44}));
        EXPECT_EQ(b.ask(1, {1, 0, 0, 0, 1}), (Bytes{1, 1, 1}));
    }
    const auto stats = gw.stats();
    EXPECT_EQ(stats.cache_hits, 100U);
    EXPECT_EQ(stats.device_requests, 0U);
    EXPECT_EQ(stats.connections, 2U);
    EXPECT_EQ(device.connections(), 1U);
}

TEST(Gateway, UnpolledRegistersAreReadOnDemandAndDeviceExceptionsComeBack) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), ""));
    wait_polled(device);
    Client c(gw.port());
    EXPECT_EQ(c.ask(1, {3, 0, 100, 0, 2}), (Bytes{3, 4, 1, 0xF4, 1, 0xF5}));
    EXPECT_EQ(c.ask(1, {3, 0x13, 0x88, 0, 1}),
              (Bytes{0x83, 2}));                                // 5000 is not mapped on the device
    EXPECT_EQ(c.ask(9, {3, 0, 0, 0, 1}), (Bytes{0x83, 0x0A}));  // no unit 9 here
    EXPECT_EQ(c.ask(1, {8, 0, 0, 0x12, 0x34}), (Bytes{0x88, 1}));  // diagnostics: not served
    EXPECT_EQ(c.ask(1, {3, 0, 0, 0, 200}), (Bytes{0x83, 3}));      // quantity above 125
    const auto id = c.ask(1, {43, 14, 1, 0});
    const std::string text(id.begin(), id.end());
    EXPECT_NE(text.find("Acme"), std::string::npos);
    EXPECT_NE(text.find("Box 1"), std::string::npos);
    EXPECT_GE(gw.stats().device_requests, 2U);
}

TEST(Gateway, IdenticalReadsWaitingTogetherShareOneDeviceRequest) {
    server::TcpServerOptions slow;
    slow.faults.delay = 1s;
    ServerThread device(fill_device, slow);
    Running gw(
        site(device.port(), R"(, "max_age": "0s")", R"(, "poller": { "offline_after": 1000 })"));
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 10; ++i) clients.push_back(std::make_unique<Client>(gw.port()));
    for (auto& c : clients) c->send(1, {3, 0, 100, 0, 2});
    for (auto& c : clients) EXPECT_EQ(c->receive(), (Bytes{3, 4, 1, 0xF4, 1, 0xF5}));
    const auto stats = gw.stats();
    EXPECT_EQ(stats.device_requests + stats.shared, 10U);
    EXPECT_GE(stats.shared, 1U);
}

TEST(Gateway, DenyRefusesEveryWrite) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "writes": "deny")"));
    Client c(gw.port());
    EXPECT_EQ(c.ask(1, {6, 0, 2, 0, 50}), (Bytes{0x86, 1}));
    EXPECT_EQ(c.ask(1, {5, 0, 0, 0, 0}), (Bytes{0x85, 1}));
    EXPECT_EQ(c.ask(1, {23, 0, 0, 0, 1, 0, 3, 0, 1, 2, 0, 7}), (Bytes{0x97, 1}));
    EXPECT_EQ(device.on_thread([&] {
        std::uint16_t v[1]{};
        (void)device.tables().unit(1)->read_registers(RegisterKind::holding, 2, v);
        return v[0];
    }),
              33);
}

TEST(Gateway, PointsAcceptsOnlyWritablePointsWithinLimitsAndRefreshesTheCache) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "writes": "points", "max_age": "1h")"));
    wait_polled(device);
    Client c(gw.port());
    EXPECT_EQ(c.ask(1, {6, 0, 2, 0, 50}), (Bytes{6, 0, 2, 0, 50}));
    EXPECT_EQ(c.ask(1, {6, 0, 0, 0, 50}), (Bytes{0x86, 2}));   // point a is read-only
    EXPECT_EQ(c.ask(1, {6, 0, 3, 0, 101}), (Bytes{0x86, 3}));  // limit max is 100
    // The held value is the written one at once, although the cache may be an hour old.
    EXPECT_EQ(c.ask(1, {3, 0, 2, 0, 1}), (Bytes{3, 2, 0, 50}));
    EXPECT_EQ(gw.stats().writes, 3U);
}

TEST(Gateway, AllowPassesAnyWriteThroughTheBusQueue) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "writes": "allow")"));
    Client c(gw.port());
    EXPECT_EQ(c.ask(1, {16, 0, 100, 0, 2, 4, 0, 7, 0, 8}), (Bytes{16, 0, 100, 0, 2}));
    EXPECT_EQ(c.ask(1, {3, 0, 100, 0, 2}), (Bytes{3, 4, 0, 7, 0, 8}));
    EXPECT_EQ(c.ask(1, {6, 0x13, 0x88, 0, 1}), (Bytes{0x86, 2}));  // the device's own answer
}

TEST(Gateway, AnOfflineDeviceAnswers0x0BAtOnce) {
    std::uint16_t closed_port = 0;
    {
        ServerThread gone([](server::UnitTables&) {});
        closed_port = gone.port();
    }
    Running gw(site(closed_port, "", R"(, "poller": { "offline_after": 1 })"));
    for (int i = 0; i < 1000 && !gw.offline(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(gw.offline());
    Client c(gw.port());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(c.ask(1, {3, 0, 0, 0, 1}), (Bytes{0x83, 0x0B}));
    // Not after the bus timeout (2 s): the gateway did not ask the device.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(gw.stats().device_requests, 0U);
}

TEST(Gateway, AClientSendingGarbageIsDroppedAndTheOthersGoOn) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "max_age": "1h")"));
    wait_polled(device);
    Client good(gw.port());
    Client bad(gw.port());
    EXPECT_EQ(good.ask(1, {3, 0, 0, 0, 1}), (Bytes{3, 2, 0, 11}));
    bad.send_raw({0, 1, 0x47, 0x45, 0x54, 0x20, 0x2F, 0x20, 0x48, 0x54, 0x54, 0x50});  // not MBAP
    EXPECT_TRUE(bad.closed_by_peer());
    EXPECT_EQ(good.ask(1, {3, 0, 0, 0, 1}), (Bytes{3, 2, 0, 11}));
    EXPECT_EQ(gw.stats().dropped, 1U);
}

TEST(Gateway, ConnectionsBeyondMaxClientsAreClosedAndCounted) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "max_clients": 2)"));
    Client one(gw.port());
    Client two(gw.port());
    EXPECT_FALSE(one.ask(1, {43, 14, 1, 0}).empty());
    EXPECT_FALSE(two.ask(1, {43, 14, 1, 0}).empty());
    Client three(gw.port());
    EXPECT_TRUE(three.closed_by_peer());
    EXPECT_EQ(gw.stats().refused, 1U);
}

TEST(Gateway, AHundredClientsAtOnceEachGetTheirOwnAnswers) {
    ServerThread device(fill_device);
    Running gw(site(device.port(), R"(, "max_clients": 100)"));
    wait_polled(device);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 100; ++i) clients.push_back(std::make_unique<Client>(gw.port()));
    for (int round = 0; round < 5; ++round) {
        // Every client asks before any answer is read; half of them ask the device.
        for (std::size_t i = 0; i < clients.size(); ++i) {
            clients[i]->send(1, i % 2 ? Bytes{3, 0, 0, 0, 4} : Bytes{3, 0, 100, 0, 2});
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            EXPECT_EQ(clients[i]->receive(), i % 2 ? (Bytes{3, 8, 0, 11, 0, 22, 0, 33, 0, 44})
                                                   : (Bytes{3, 4, 1, 0xF4, 1, 0xF5}));
        }
    }
    EXPECT_EQ(gw.stats().requests, 500U);
    EXPECT_EQ(gw.stats().connections, 100U);
}

}  // namespace
}  // namespace regpoll::gateway
