// Load generator for Modbus TCP servers: N connections, each keeping `depth` requests in
// flight (1 = one request, wait, next), every request reading `count` holding registers.
// Runs for a fixed time and prints one line of figures; it measures, it asserts nothing.
//
//   server_load --port P [--host 127.0.0.1] [--connections 1] [--depth 1]
//               [--seconds 5] [--count 50] [--unit 1] [--address 0] [--spread 1]
//
// --spread N: connection i reads from address + (i mod N), so up to N connections never
// send the same request (a gateway or cache that merges identical requests is then
// measured without that help).
//
// Output: connections=1 depth=1 seconds=5.00 requests=61234 rps=12246.8 errors=0
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Settings {
    std::string host = "127.0.0.1";
    std::string port;
    int connections = 1;
    int depth = 1;
    double seconds = 5;
    int count = 50;
    int unit = 1;
    int address = 0;
    int spread = 1;
};

struct Totals {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    bool running = true;
};

// One connection: sends `depth` requests, then one more per reply, until time is up.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(asio::io_context& io, const Settings& s, Totals& totals, int index)
        : socket_(io),
          settings_(s),
          totals_(totals),
          address_(static_cast<std::uint16_t>(s.address + index % s.spread)),
          reply_(7 + 2 + 2 * s.count) {}

    void start(const tcp::resolver::results_type& endpoints) {
        asio::async_connect(
            socket_, endpoints,
            [self = shared_from_this()](const boost::system::error_code& ec, const tcp::endpoint&) {
                if (ec) {
                    std::cerr << "server_load: connect: " << ec.message() << "\n";
                    ++self->totals_.errors;
                    return;
                }
                self->socket_.set_option(tcp::no_delay(true));
                for (int i = 0; i < self->settings_.depth; ++i) self->send();
                self->read_reply();
            });
    }

    void stop() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

  private:
    void send() {
        const std::uint16_t tid = next_tid_++;
        auto request = std::make_shared<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{
            static_cast<std::uint8_t>(tid >> 8), static_cast<std::uint8_t>(tid), 0, 0, 0, 6,
            static_cast<std::uint8_t>(settings_.unit), 0x03,
            static_cast<std::uint8_t>(address_ >> 8), static_cast<std::uint8_t>(address_),
            static_cast<std::uint8_t>(settings_.count >> 8),
            static_cast<std::uint8_t>(settings_.count)});
        asio::async_write(
            socket_, asio::buffer(*request),
            [self = shared_from_this(), request](const boost::system::error_code& ec, std::size_t) {
                if (ec && self->totals_.running) ++self->totals_.errors;
            });
    }

    void read_reply() {
        // Header first: an exception reply is shorter than a normal one.
        asio::async_read(
            socket_, asio::buffer(reply_.data(), 7),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                if (ec) return self->lost(ec);
                const std::size_t rest = ((self->reply_[4] << 8) | self->reply_[5]) - 1U;
                if (rest < 2 || rest > self->reply_.size() - 7) return self->lost({});
                self->read_body(rest);
            });
    }

    void read_body(std::size_t length) {
        asio::async_read(
            socket_, asio::buffer(reply_.data() + 7, length),
            [self = shared_from_this(), length](const boost::system::error_code& ec, std::size_t) {
                if (ec) return self->lost(ec);
                Totals& t = self->totals_;
                if (!t.running) return;
                const bool ok =
                    self->reply_[7] == 0x03 && length == 2U + 2U * self->settings_.count;
                if (ok) {
                    ++t.requests;
                } else {
                    ++t.errors;
                }
                self->send();
                self->read_reply();
            });
    }

    void lost(const boost::system::error_code& ec) {
        if (!totals_.running) return;
        ++totals_.errors;
        std::cerr << "server_load: connection lost: " << (ec ? ec.message() : "bad reply") << "\n";
    }

    tcp::socket socket_;
    const Settings& settings_;
    Totals& totals_;
    std::uint16_t address_;  // this connection's first register
    std::vector<std::uint8_t> reply_;
    std::uint16_t next_tid_ = 1;
};

int usage(const char* why) {
    std::cerr << "server_load: " << why
              << "\nusage: server_load --port P [--host H] [--connections N] [--depth D] "
                 "[--seconds T] [--count C] [--unit U] [--address A] [--spread N]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) return usage(("missing value for " + flag).c_str());
        const std::string value = argv[++i];
        if (flag == "--host")
            s.host = value;
        else if (flag == "--port")
            s.port = value;
        else if (flag == "--connections")
            s.connections = std::atoi(value.c_str());
        else if (flag == "--depth")
            s.depth = std::atoi(value.c_str());
        else if (flag == "--seconds")
            s.seconds = std::atof(value.c_str());
        else if (flag == "--count")
            s.count = std::atoi(value.c_str());
        else if (flag == "--unit")
            s.unit = std::atoi(value.c_str());
        else if (flag == "--address")
            s.address = std::atoi(value.c_str());
        else if (flag == "--spread")
            s.spread = std::atoi(value.c_str());
        else
            return usage(("unknown option " + flag).c_str());
    }
    if (s.port.empty()) return usage("--port is required");
    if (s.connections < 1 || s.depth < 1 || s.count < 1 || s.count > 125 || s.seconds <= 0 || s.spread < 1) {
        return usage("bad numbers");
    }

    asio::io_context io;
    Totals totals;
    const auto endpoints = tcp::resolver(io).resolve(s.host, s.port);
    std::vector<std::shared_ptr<Connection>> connections;
    for (int i = 0; i < s.connections; ++i) {
        connections.push_back(std::make_shared<Connection>(io, s, totals, i));
        connections.back()->start(endpoints);
    }
    // Counting starts after a short warm-up, so connection setup is not measured.
    const auto warmup = std::chrono::milliseconds(300);
    asio::steady_timer timer(io);
    Clock::time_point started;
    std::uint64_t at_start = 0;
    std::uint64_t errors_at_start = 0;
    timer.expires_after(warmup);
    timer.async_wait([&](const boost::system::error_code&) {
        started = Clock::now();
        at_start = totals.requests;
        errors_at_start = totals.errors;
        timer.expires_after(
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.seconds)));
        timer.async_wait([&](const boost::system::error_code&) {
            totals.running = false;
            for (auto& c : connections) c->stop();
        });
    });
    io.run();
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    const std::uint64_t done = totals.requests - at_start;
    std::printf("connections=%d depth=%d seconds=%.2f requests=%llu rps=%.1f errors=%llu\n",
                s.connections, s.depth, elapsed, static_cast<unsigned long long>(done),
                static_cast<double>(done) / elapsed,
                static_cast<unsigned long long>(totals.errors - errors_at_start));
    return 0;
}
