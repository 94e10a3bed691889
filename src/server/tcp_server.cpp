#include "server/tcp_server.hpp"

#include <chrono>

#include <boost/asio/ip/tcp.hpp>

#include "server/session_list.hpp"
#include "server/stream_session.hpp"
#include "server/tcp_listener.hpp"

namespace regpoll::server {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Session = detail::StreamSession<tcp::socket>;

}  // namespace

struct TcpServer::State : std::enable_shared_from_this<TcpServer::State> {
    State(asio::io_context& io_context, DataTables& tables, TcpServerOptions opts)
        : options(std::move(opts)),
          responder(std::make_shared<Responder>(tables, options.framing, options.serve,
                                                FaultPolicy(options.faults, options.fault_seed))) {
        listener = std::make_shared<TcpListener>(
            io_context, [this](tcp::socket socket) { admit(std::move(socket)); });
    }

    void admit(tcp::socket socket) {
        const std::size_t open = sessions.prune();
        if (options.single_connection) sessions.close_all();
        if (options.max_connections > 0 && !options.single_connection &&
            open >= options.max_connections) {
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
        sessions.add(session);
        session->start();
    }

    TcpServerOptions options;
    std::shared_ptr<Responder> responder;
    SessionList<Session> sessions;
    std::shared_ptr<TcpListener> listener;  // last: its handler refers to the rest
};

TcpServer::TcpServer(asio::io_context& io, DataTables& tables, TcpServerOptions options)
    : state_(std::make_shared<State>(io, tables, std::move(options))) {}

TcpServer::~TcpServer() {
    stop();
}

std::error_code TcpServer::start() {
    return state_->listener->start(state_->options.host, state_->options.port);
}

void TcpServer::stop() {
    state_->listener->stop();
    state_->sessions.close_all();
}

std::uint16_t TcpServer::port() const {
    return state_->listener->port();
}

std::size_t TcpServer::open_connections() const {
    return state_->sessions.open();
}

const ServerStats& TcpServer::stats() const {
    return state_->responder->stats();
}

}  // namespace regpoll::server
