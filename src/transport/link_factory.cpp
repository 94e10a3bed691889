#include "transport/link_factory.hpp"

#include "transport/listen_link.hpp"
#include "transport/serial_link.hpp"
#include "transport/stream_serial_link.hpp"

namespace regpoll::transport {

Expected<std::shared_ptr<Link>, std::string> make_link(boost::asio::io_context& io,
                                                       const Uri& uri,
                                                       const LinkOptions& options) {
    if (uri.scheme == "tcp") {
        if (!uri.query.empty()) {
            return Unexpected{uri.to_string() + ": tcp:// takes no query parameters"};
        }
        return make_tcp_link(io, uri, options.tcp);
    }
    if (uri.is_serial()) return make_serial_link(io, uri, options.log);
    if (uri.scheme == "rtu+tcp" || uri.scheme == "ascii+tcp") {
        return make_stream_serial_link(io, uri, options.tcp, options.log);
    }
    if (uri.scheme == "shine+listen") {
        return Unexpected{uri.to_string() +
                          ": Growatt dataloggers push their own records and take no Modbus requests; "
                          "shine+listen:// buses work in `regpoll run` only"};
    }
    if (uri.is_listen()) return make_listen_link(io, uri, options.log);
    return Unexpected{uri.to_string() + ": the " + uri.scheme +
                      ":// transport is not available in this build"};
}

}  // namespace regpoll::transport
