#include "transport/link_factory.hpp"

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
    return Unexpected{uri.to_string() + ": the " + uri.scheme +
                      ":// transport is not available in this build"};
}

}  // namespace regpoll::transport
