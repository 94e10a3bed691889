#include "transport/stream_serial_link.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "modbus/error.hpp"
#include "transport/asio_connection.hpp"
#include "transport/sequential_link.hpp"
#include "transport/serial_options.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using TcpConnection = AsioConnection<tcp::socket>;

// Resolves and connects, bounded by the open timeout.
class TcpConnector final : public Connector {
public:
    TcpConnector(asio::io_context& io, std::string host, std::uint16_t port)
        : io_(io), resolver_(io), host_(std::move(host)), port_(port) {}

    void async_open(Milliseconds timeout, OpenHandler handler) override {
        auto attempt = std::make_shared<Attempt>(io_, host_ + ":" + std::to_string(port_));
        attempt->handler = std::move(handler);
        current_ = attempt;
        attempt->timer.expires_after(timeout);
        attempt->timer.async_wait([this, attempt](const boost::system::error_code& ec) {
            if (ec || attempt->finished) return;
            attempt->timed_out = true;
            resolver_.cancel();
            attempt->conn->close();
        });
        resolver_.async_resolve(
            host_, std::to_string(port_),
            [this, attempt](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                if (attempt->finished) return;
                if (ec) return finish(*attempt, ec);
                asio::async_connect(attempt->conn->stream(), results,
                                    [this, attempt](const boost::system::error_code& cec,
                                                    const tcp::endpoint&) {
                                        if (!attempt->finished) finish(*attempt, cec);
                                    });
            });
    }

    void close() override {
        if (auto attempt = current_.lock(); attempt && !attempt->finished) {
            resolver_.cancel();
            attempt->conn->close();
            finish(*attempt, modbus::make_error_code(modbus::Errc::cancelled));
        }
    }

    bool backs_off() const override { return true; }

private:
    struct Attempt {
        Attempt(asio::io_context& io, std::string peer)
            : conn(std::make_shared<TcpConnection>(std::move(peer), io)), timer(io) {}
        std::shared_ptr<TcpConnection> conn;
        asio::steady_timer timer;
        OpenHandler handler;
        bool timed_out = false;
        bool finished = false;
    };

    void finish(Attempt& attempt, std::error_code ec) {
        attempt.finished = true;
        attempt.timer.cancel();
        if (attempt.timed_out) ec = modbus::make_error_code(modbus::Errc::timeout);
        if (ec) {
            attempt.conn->close();
            return std::exchange(attempt.handler, nullptr)(ec, nullptr);
        }
        boost::system::error_code ignored;
        attempt.conn->stream().set_option(tcp::no_delay(true), ignored);
        std::exchange(attempt.handler, nullptr)({}, attempt.conn);
    }

    asio::io_context& io_;
    tcp::resolver resolver_;
    std::string host_;
    std::uint16_t port_;
    std::weak_ptr<Attempt> current_;
};

}  // namespace

Expected<std::shared_ptr<Link>, std::string> make_stream_serial_link(
    boost::asio::io_context& io, const Uri& uri, const TcpOptions& tcp_options, const LogFn& log) {
    auto options = parse_bus_options(uri);
    if (!options) return Unexpected{options.error()};
    SequentialConfig cfg;
    cfg.name = uri.to_string();
    cfg.framing = uri.scheme == "ascii+tcp" ? modbus::Framing::ascii : modbus::Framing::rtu;
    cfg.echo = options->echo;
    cfg.turnaround = options->turnaround;
    cfg.pause = options->pause;
    if (options->timeout) cfg.default_timeout = *options->timeout;
    cfg.open_timeout = tcp_options.connect_timeout;
    cfg.reconnect_initial = tcp_options.reconnect_initial;
    cfg.reconnect_cap = tcp_options.reconnect_cap;
    cfg.log = log;
    // The converter does the line timing; TCP hides silences, so gaps are not checked
    // unless asked for, and a short quiet time after an error drops the rest of a frame.
    if (options->gap) cfg.timing.max_gap = *options->gap;
    cfg.timing.resync = latency_allowance;
    return make_sequential_link(io, std::make_unique<TcpConnector>(io, uri.host, uri.port),
                                std::move(cfg));
}

}  // namespace regpoll::transport
