#pragma once
// Makes the link a URI names. Every command (read, write, scan, run) goes through here,
// so they all accept the same URIs.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "transport/link.hpp"
#include "transport/log.hpp"
#include "transport/tcp_link.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

struct LinkOptions {
    // tcp://; for rtu+tcp:// and ascii+tcp:// only the connect timeout and back-off.
    TcpOptions tcp;
    // Where links report what no request result carries (refused dial-ins, a pty without
    // parity, lost connections). Empty: nowhere.
    LogFn log;
};

// An error string names the URI and what is unsupported or wrong in it.
Expected<std::shared_ptr<Link>, std::string> make_link(boost::asio::io_context& io,
                                                       const Uri& uri,
                                                       const LinkOptions& options);

}  // namespace regpoll::transport
