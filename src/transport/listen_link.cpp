#include "transport/listen_link.hpp"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/duration.hpp"
#include "modbus/error.hpp"
#include "transport/asio_connection.hpp"
#include "transport/listen_socket.hpp"
#include "transport/sequential_link.hpp"
#include "transport/serial_options.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using TcpConnection = AsioConnection<tcp::socket>;

// Accepts devices all the time; hands the newest one to the link.
class ListenConnector final : public Connector {
public:
    ListenConnector(asio::io_context& io, tcp::acceptor acceptor,
                    std::vector<asio::ip::address> allow, std::string name, LogFn log)
        : io_(io),
          acceptor_(std::move(acceptor)),
          wait_timer_(io),
          retry_timer_(io),
          allow_(std::move(allow)),
          name_(std::move(name)),
          log_(std::move(log)) {
        accept();
    }
    ~ListenConnector() override { *alive_ = false; }

    void async_open(Milliseconds timeout, OpenHandler handler) override {
        if (current_ && current_->is_open()) {
            asio::post(io_, [handler = std::move(handler), c = current_] { handler({}, c); });
            return;
        }
        waiter_ = std::move(handler);
        wait_timer_.expires_after(timeout);
        wait_timer_.async_wait([this, alive = alive_, timeout](const boost::system::error_code& ec) {
            if (ec || !*alive || !waiter_) return;
            log(LogLevel::warning, "no device dialled in within " + format_duration(timeout));
            std::exchange(waiter_, nullptr)(std::make_error_code(std::errc::not_connected), nullptr);
        });
    }

    void close() override {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        wait_timer_.cancel();
        retry_timer_.cancel();
        if (current_) current_->close();
        current_.reset();
        if (waiter_) {
            std::exchange(waiter_, nullptr)(modbus::make_error_code(modbus::Errc::cancelled), nullptr);
        }
    }

    bool backs_off() const override { return false; }

private:
    void log(LogLevel level, const std::string& text) const {
        if (log_) log_(level, name_ + ": " + text);
    }

    void accept() {
        acceptor_.async_accept([this, alive = alive_](const boost::system::error_code& ec, tcp::socket s) {
            if (!*alive || ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
            if (!ec) {
                on_accepted(std::move(s));
                return accept();
            }
            // Out of descriptors, say: try again shortly rather than spin.
            log(LogLevel::warning, "accept failed: " + ec.message());
            retry_timer_.expires_after(std::chrono::milliseconds(500));
            retry_timer_.async_wait([this, alive](const boost::system::error_code& wec) {
                if (!wec && *alive) accept();
            });
        });
    }

    bool allowed(const asio::ip::address& a) const {
        return allow_.empty() || std::find(allow_.begin(), allow_.end(), plain_address(a)) != allow_.end();
    }

    void on_accepted(tcp::socket socket) {
        boost::system::error_code ec;
        const tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec) return;  // gone already
        const std::string who = endpoint_text(remote);
        if (!allowed(remote.address())) {
            log(LogLevel::warning, "refused connection from " + who + ": " +
                                       modbus::make_error_code(modbus::Errc::refused_by_allow_list).message());
            socket.close(ec);
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto conn = std::make_shared<TcpConnection>(who, std::move(socket));
        if (current_ && current_->is_open()) {
            log(LogLevel::info, "device dialled in again from " + who + "; dropping " + current_->peer());
            current_->close();  // the link's pending read fails; it then takes the new one
        } else {
            log(LogLevel::info, "device dialled in from " + who);
        }
        current_ = conn;
        if (waiter_) {
            wait_timer_.cancel();
            std::exchange(waiter_, nullptr)({}, conn);
        }
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    asio::steady_timer wait_timer_;
    asio::steady_timer retry_timer_;
    std::vector<asio::ip::address> allow_;
    std::string name_;
    LogFn log_;
    std::shared_ptr<Connection> current_;
    OpenHandler waiter_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

Expected<std::shared_ptr<Link>, std::string> make_listen_link(boost::asio::io_context& io,
                                                              const Uri& uri, const LogFn& log) {
    auto options = parse_bus_options(uri);
    if (!options) return Unexpected{options.error()};
    auto acceptor = bind_listener(io, uri);
    if (!acceptor) return Unexpected{acceptor.error()};
    Uri bound = uri;
    bound.port = acceptor->local_endpoint().port();
    std::vector<asio::ip::address> allow;
    for (const auto& a : options->allow) allow.push_back(plain_address(asio::ip::make_address(a)));

    SequentialConfig cfg;
    cfg.name = bound.to_string();
    const bool mbap = uri.scheme == "tcp+listen";
    cfg.framing = mbap ? modbus::Framing::mbap : modbus::Framing::rtu;
    cfg.broadcast = !mbap;
    cfg.echo = options->echo;
    cfg.turnaround = options->turnaround;
    cfg.pause = options->pause;
    if (options->timeout) cfg.default_timeout = *options->timeout;
    cfg.open_timeout = options->wait;
    cfg.log = log;
    if (options->gap) cfg.timing.max_gap = *options->gap;
    // MBAP matches answers by transaction id; RTU needs the rest of a broken frame gone.
    if (!mbap) cfg.timing.resync = latency_allowance;
    if (log) log(LogLevel::info, cfg.name + ": waiting for devices to dial in");
    auto connector = std::make_unique<ListenConnector>(io, std::move(*acceptor), std::move(allow),
                                                       cfg.name, log);
    return make_sequential_link(io, std::move(connector), std::move(cfg));
}

}  // namespace regpoll::transport
