#pragma once
// The server side of shine+listen://: Growatt Shine dataloggers dial in, any number at
// once, and push records. Each connection acks data records, echoes pings, and hands every
// decoded data record on; the poller matches it to a device. Nothing is sent unasked. With a
// relay, the cloud's answers reach the stick instead of regpoll's while the cloud is there.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "shine/records.hpp"
#include "transport/log.hpp"
#include "transport/shine_relay.hpp"
#include "transport/uri.hpp"

namespace regpoll::transport {

struct ShineListenerOptions {
    // Close the connection of a logger no device names instead of acking it.
    bool drop_unknown = false;
    // Is there a device for this logger (and inverter; empty: any device of the logger)?
    std::function<bool(const std::string& datalogger, const std::string& inverter)> known;
    // A data record (0x03, 0x04, 0x50) of a known logger, after its ack was queued.
    std::function<void(const shine::Frame&, const shine::DataRecord&)> on_record;
    LogFn log;
    // Relay mode: each connection is also copied to this Growatt server (see shine_relay.hpp).
    std::optional<ShineRelayOptions> relay;
};

class ShineListener {
  public:
    virtual ~ShineListener() = default;
    // Stops accepting and closes every connection.
    virtual void close() = 0;
    virtual std::uint16_t port() const = 0;
};

// Binds the URI's address (port 5279 when the URI has none); the error names the URI.
Expected<std::shared_ptr<ShineListener>, std::string> make_shine_listener(
    boost::asio::io_context& io, const Uri& uri, ShineListenerOptions options);

}  // namespace regpoll::transport
