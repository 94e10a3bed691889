#pragma once
// The server side of shine+listen://: Growatt Shine dataloggers dial in, any number at
// once, and push records. Each connection acks data records, echoes pings, and hands every
// decoded data record on; the poller matches it to a device. Nothing is sent unasked; the
// poller's commands (settings, inverter registers) go through command(). With a relay, the
// cloud's answers reach the stick instead of regpoll's while the cloud is there.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "shine/records.hpp"
#include "transport/shine_command_queue.hpp"
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
    // How long a command waits for its answer (sticks take seconds).
    std::chrono::milliseconds command_timeout{std::chrono::seconds(30)};
};

// Builds a command for one connection: the listener fills in the protocol, the logger's
// serial and the unit byte (shine/commands.hpp builds the frames).
using ShineCommandBuilder = std::function<std::vector<std::uint8_t>(const shine::CommandTarget&)>;

class ShineListener {
  public:
    virtual ~ShineListener() = default;
    // Stops accepting and closes every connection.
    virtual void close() = 0;
    virtual std::uint16_t port() const = 0;
    // Is this logger connected now?
    virtual bool connected(const std::string& datalogger) const = 0;
    // Sends a command through the logger's connection, one in flight per logger. The unit
    // byte is `inverter`'s from its records (ShineLink), 0x01 when empty or not seen. Fails
    // at once, naming the logger, when it is not connected; `done` always runs later.
    virtual void command(const std::string& datalogger, const std::string& inverter,
                         const ShineCommandBuilder& build, ShineCommandDone done) = 0;
};

// Binds the URI's address (port 5279 when the URI has none); the error names the URI.
Expected<std::shared_ptr<ShineListener>, std::string> make_shine_listener(
    boost::asio::io_context& io, const Uri& uri, ShineListenerOptions options);

}  // namespace regpoll::transport
