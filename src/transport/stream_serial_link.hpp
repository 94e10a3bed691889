#pragma once
// Serial framing carried over a raw TCP connection to a serial-to-Ethernet converter in
// transparent mode (USR-TCP232, Waveshare, Elfin): rtu+tcp://host:port and
// ascii+tcp://host:port. Frames are reassembled from whatever TCP segments the converter
// sends; one request at a time, because a converter feeds one serial bus.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "transport/link.hpp"
#include "transport/log.hpp"
#include "transport/tcp_link.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

// Uses `tcp`'s connect timeout and reconnect back-off (its pipelining and pause options
// do not apply: the query's pause= does).
Expected<std::shared_ptr<Link>, std::string> make_stream_serial_link(
    boost::asio::io_context& io, const Uri& uri, const TcpOptions& tcp, const LogFn& log = {});

}  // namespace regpoll::transport
