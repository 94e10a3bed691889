#include "transport/listen_socket.hpp"

namespace regpoll::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

asio::ip::address plain_address(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    }
    return a;
}

std::string endpoint_text(const tcp::endpoint& e) {
    const auto a = plain_address(e.address());
    return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(e.port());
}

Expected<tcp::acceptor, std::string> bind_listener(asio::io_context& io, const Uri& uri) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(uri.host, ec);
    if (ec) {
        return Unexpected{uri.to_string() + ": \"" + uri.host +
                          "\" is not an IP address to listen on (e.g. 0.0.0.0)"};
    }
    const tcp::endpoint endpoint(address, uri.port);
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Unexpected{uri.to_string() + ": cannot listen: " + ec.message()};
    return acceptor;
}

}  // namespace regpoll::transport
