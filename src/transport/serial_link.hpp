#pragma once
// Modbus RTU and ASCII masters on a serial port: rtu:///dev/ttyUSB0?baud=9600&parity=N,
// ascii:///dev/ttyS0. One request at a time with the line's silent intervals; the query
// keys are checked by parse_bus_options (serial_options.hpp).
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "transport/link.hpp"
#include "transport/log.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

// The port is opened lazily, by the first request, and reopened with back-off after it
// fails (an adapter unplugged). An error string names the URI and the bad query key.
Expected<std::shared_ptr<Link>, std::string> make_serial_link(boost::asio::io_context& io,
                                                              const Uri& uri,
                                                              const LogFn& log = {});

}  // namespace regpoll::transport
