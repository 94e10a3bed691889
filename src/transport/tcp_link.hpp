#pragma once
// Modbus TCP master link (MBAP framing) on Boost.Asio. Connects lazily, matches responses
// to requests by transaction id (late or stray responses are discarded, never matched to
// the wrong request), can keep several requests in flight, and reconnects with back-off.
#include <memory>

#include <boost/asio/io_context.hpp>

#include "transport/link.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

struct TcpOptions {
    Milliseconds connect_timeout{3000};
    Milliseconds pause_after_connect{0};  // quiet time some devices need after a connect
    Milliseconds pause_between_requests{0};
    std::size_t max_in_flight = 1;        // >1 pipelines requests (gateways that allow it)
    Milliseconds reconnect_initial{500};
    Milliseconds reconnect_cap{30000};
};

std::shared_ptr<Link> make_tcp_link(boost::asio::io_context& io, const Uri& uri,
                                    const TcpOptions& options);

}  // namespace regpoll::transport
