#include "server/tcp_server.hpp"

#include <chrono>
#include <list>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/stream_session.hpp"

namespace regpoll::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Session = detail::StreamSession<tcp::socket>;

}  // namespace

struct TcpServer::State : std::enable_shared_from_this<TcpServer::State> {
    State(asio::io_context& io_context, DataTables& tables, TcpServerOptions opts)
        : io(io_context),
          acceptor(io_context),
          retry_timer(io_context),
          options(std::move(opts)),
          responder(std::make_shared<Responder>(tables, options.framing, options.serve,
                                                FaultPolicy(options.faults, options.fault_seed))) {}

    void accept() {
        acceptor.async_accept(
            [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
                if (!self->acceptor.is_open()) return;
                if (!ec) {
                    self->admit(std::move(socket));
                    self->accept();
                    return;
                }
                // Out of descriptors or an aborted handshake: try again shortly, not in a spin.
                self->retry_timer.expires_after(std::chrono::milliseconds(50));
                self->retry_timer.async_wait([self](const boost::system::error_code& wait_ec) {
                    if (!wait_ec && self->acceptor.is_open()) self->accept();
                });
            });
    }

    void admit(tcp::socket socket) {
        sessions.remove_if([](const std::weak_ptr<Session>& w) {
            auto s = w.lock();
            return !s || !s->is_open();
        });
        if (options.single_connection) close_sessions();
        if (options.max_connections > 0 && sessions.size() >= options.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);
            return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        ++responder->stats().connections;
        detail::SessionOptions session_options;
        session_options.close_on_bad_frame = options.framing == modbus::Framing::mbap;
        auto session = std::make_shared<Session>(std::move(socket), responder, session_options);
        sessions.push_back(session);
        session->start();
    }

    void close_sessions() {
        for (auto& w : sessions) {
            if (auto s = w.lock()) s->close();
        }
        sessions.clear();
    }

    asio::io_context& io;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;
    TcpServerOptions options;
    std::shared_ptr<Responder> responder;
    std::list<std::weak_ptr<Session>> sessions;
};

TcpServer::TcpServer(asio::io_context& io, DataTables& tables, TcpServerOptions options)
    : state_(std::make_shared<State>(io, tables, std::move(options))) {}

TcpServer::~TcpServer() {
    stop();
}

std::error_code TcpServer::start() {
    State& s = *state_;
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(s.options.host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, s.options.port);
    } else {
        tcp::resolver resolver(s.io);
        auto results = resolver.resolve(s.options.host, std::to_string(s.options.port), ec);
        if (ec) return ec;
        if (results.empty()) return std::make_error_code(std::errc::address_not_available);
        endpoint = results.begin()->endpoint();
    }
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(endpoint, ec);
    if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        s.acceptor.close(ignored);
        return ec;
    }
    s.accept();
    return {};
}

void TcpServer::stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    state_->retry_timer.cancel();
    state_->close_sessions();
}

std::uint16_t TcpServer::port() const {
    boost::system::error_code ec;
    const auto endpoint = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

std::size_t TcpServer::open_connections() const {
    std::size_t n = 0;
    for (const auto& w : state_->sessions) {
        if (auto s = w.lock(); s && s->is_open()) ++n;
    }
    return n;
}

const ServerStats& TcpServer::stats() const {
    return state_->responder->stats();
}

}  // namespace regpoll::server
