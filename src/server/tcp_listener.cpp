#include "server/tcp_listener.hpp"

#include <chrono>

namespace regpoll::server {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpListener::TcpListener(asio::io_context& io, Accepted on_accepted)
    : io_(io), acceptor_(io), retry_timer_(io), on_accepted_(std::move(on_accepted)) {}

std::error_code TcpListener::start(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, port);
    } else {
        tcp::resolver resolver(io_);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec) return ec;
        if (results.empty()) return std::make_error_code(std::errc::address_not_available);
        endpoint = results.begin()->endpoint();
    }
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        return ec;
    }
    accept();
    return {};
}

void TcpListener::accept() {
    acceptor_.async_accept(
        [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
            if (!self->acceptor_.is_open()) return;
            if (!ec) {
                self->on_accepted_(std::move(socket));
                self->accept();
                return;
            }
            self->retry_timer_.expires_after(std::chrono::milliseconds(50));
            self->retry_timer_.async_wait([self](const boost::system::error_code& wait_ec) {
                if (!wait_ec && self->acceptor_.is_open()) self->accept();
            });
        });
}

void TcpListener::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
}

std::uint16_t TcpListener::port() const {
    boost::system::error_code ec;
    const auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

}  // namespace regpoll::server
