#pragma once
// What the listening transports share: binding the address of a *+listen:// URI and naming
// the peers that dial in.
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/expected.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

// An IPv4 client of a dual-stack listener shows up as ::ffff:a.b.c.d: the plain v4 address.
boost::asio::ip::address plain_address(const boost::asio::ip::address& a);

// "192.0.2.7:41234", "[2001:db8::1]:41234".
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& e);

// A listening acceptor on the URI's host (an IP address) and port; the error names the URI.
Expected<boost::asio::ip::tcp::acceptor, std::string> bind_listener(boost::asio::io_context& io,
                                                                    const Uri& uri);

}  // namespace regpoll::transport
