#pragma once
// Relay mode of shine+listen://: for one stick connection, one TCP connection to the Growatt
// server (the cloud). Every stick record goes to the cloud unchanged, every cloud record to the
// stick, except the commands relay_commands "block" drops (shine/relay_filter). While the cloud
// answers, its acks and echoes reach the stick instead of regpoll's own (never both); when it is
// away, refuses, or has not answered a record within ack_timeout, regpoll answers the stick
// itself. The cloud connection is redialled with back-off and never takes the stick down.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "shine/frame.hpp"
#include "shine/relay_filter.hpp"
#include "transport/log.hpp"

namespace regpoll::transport {

struct ShineRelayOptions {
    std::string host;
    std::uint16_t port = 5279;
    shine::RelayCommands commands = shine::RelayCommands::block;
    // How long the stick waits for the cloud's answer before regpoll answers it.
    std::chrono::milliseconds ack_timeout{std::chrono::seconds(4)};
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoff_max{std::chrono::seconds(60)};
};

class ShineRelay {
  public:
    using SendFn = std::function<void(std::vector<std::uint8_t>)>;
    virtual ~ShineRelay() = default;

    // A record the stick sent: copied to the cloud as received (frame.raw). Records that come
    // while the cloud is away are not kept for it; regpoll has them.
    virtual void from_stick(const shine::Frame& record) = 0;
    // regpoll's answer (ack or echo) to a stick record. True: the relay holds it and sends it
    // only if the cloud's own answer does not come in time. False: send it now.
    virtual bool hold_answer(const shine::Frame& record, std::vector<std::uint8_t> answer) = 0;
    // Closes the cloud connection and stops redialling (the stick went away).
    virtual void close() = 0;
};

// Starts dialling at once. `to_stick` writes to the stick's connection; `log` gets the
// relay's state changes (once each, not per record) and every dropped command.
std::shared_ptr<ShineRelay> start_shine_relay(const boost::asio::any_io_executor& executor,
                                              ShineRelayOptions options,
                                              ShineRelay::SendFn to_stick, LogFn log);

}  // namespace regpoll::transport
