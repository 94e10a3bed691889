#pragma once
// A Modbus TCP server in front of the poller: clients read the devices the poller polls,
// answered from the values it holds while they are younger than max_age; anything else
// joins the device's bus queue like a poll, so the device sees one client only. Runs on
// the poller's event loop, one acceptor and one session per client, no threads.
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "gateway/gateway_config.hpp"
#include "poll/poller.hpp"

namespace regpoll::gateway {

struct GatewayStats {
    std::uint64_t connections = 0;      // clients accepted
    std::uint64_t refused = 0;          // connections over max_clients, closed at once
    std::uint64_t dropped = 0;          // clients closed for sending garbage or not reading
    std::uint64_t requests = 0;         // requests received
    std::uint64_t cache_hits = 0;       // answered from held values (FC43 included)
    std::uint64_t device_requests = 0;  // requests sent to a device
    std::uint64_t shared = 0;           // reads that joined an identical one already waiting
    std::uint64_t writes = 0;           // write requests received (any verdict)
    std::uint64_t exceptions = 0;       // exception answers (ours and the devices')
};

class Gateway {
  public:
    // `poller` must be started, and outlive the gateway or see it stopped first.
    Gateway(boost::asio::io_context& io, GatewayConfig config, poll::Poller& poller);
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    // Binds and listens; an error (address in use) leaves the gateway stopped.
    std::error_code start();
    // Closes the listener and every client; answers still on their way are dropped.
    void stop();

    std::uint16_t port() const;  // the bound port, after start()
    std::size_t clients() const;
    const GatewayStats& stats() const;
    const GatewayConfig& config() const;
    // "gateway tcp://0.0.0.0:5020: 3 clients, ..." for the log.
    std::string stats_line() const;
    // The gateway's entry in the status file.
    nlohmann::json status_json() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace regpoll::gateway
