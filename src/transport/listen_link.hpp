#pragma once
// Listen mode, for devices that dial out instead of accepting connections (data loggers
// such as the Growatt Wi-Fi stick, converters in TCP client mode): tcp+listen://0.0.0.0:port
// (MBAP framing) and rtu+listen://0.0.0.0:port (RTU framing). regpoll listens; the device
// connects; regpoll is the master on that socket, one request at a time. A device that
// connects again replaces its old socket; sources outside allow= are refused and logged.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "transport/link.hpp"
#include "transport/log.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

// Binds and starts listening at once (so the device can dial in before the first
// request); an error string says why it cannot (bad key, address in use). Port 0 picks a
// free port, which describe() then shows.
Expected<std::shared_ptr<Link>, std::string> make_listen_link(boost::asio::io_context& io,
                                                              const Uri& uri,
                                                              const LogFn& log = {});

}  // namespace regpoll::transport
