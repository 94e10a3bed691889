#pragma once
// A listening TCP socket that hands every accepted connection on. A failed accept (out of
// descriptors) is retried 50 ms later rather than in a spin. Shared by the simulator's
// server and the gateway.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace regpoll::server {

class TcpListener : public std::enable_shared_from_this<TcpListener> {
  public:
    using Accepted = std::function<void(boost::asio::ip::tcp::socket)>;

    TcpListener(boost::asio::io_context& io, Accepted on_accepted);

    // Binds `host` (an address, or a name resolved once) and `port` (0: a free one) and
    // starts accepting; an error (address in use) leaves it closed.
    std::error_code start(const std::string& host, std::uint16_t port);
    void stop();
    bool is_open() const { return acceptor_.is_open(); }
    std::uint16_t port() const;  // the bound port, 0 when closed

  private:
    void accept();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_timer_;
    Accepted on_accepted_;
};

}  // namespace regpoll::server
