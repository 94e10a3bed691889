#pragma once
// Decides each client request of one gateway: refused (unit, function, shape, write mode),
// answered from the held values, answered at once for an offline device (0x0B), or sent
// to the device through the poller's bus queue. Identical reads waiting at the same time
// share one device request.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/gateway_config.hpp"
#include "modbus/error.hpp"
#include "modbus/frame.hpp"
#include "poll/poller.hpp"
#include "server/device_identity.hpp"

namespace regpoll::gateway {

struct GatewayStats;

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
  public:
    using Reply = std::function<void(modbus::Pdu)>;

    Dispatcher(const GatewayConfig& config, poll::Poller& poller, GatewayStats& stats);

    // `client` names the peer in the log. `reply` may run before this returns (cache hits).
    void handle(const std::string& client, const modbus::Adu& request, Reply reply);

  private:
    using Key = std::pair<std::size_t, modbus::Pdu>;  // device, request

    void refuse(std::uint8_t fc, modbus::Errc code, const Reply& reply);
    bool admit_write(const std::string& client, std::size_t device, const modbus::Pdu& pdu,
                     const Reply& reply);
    void forward(const std::string& client, std::size_t device, const modbus::Pdu& pdu,
                 Reply reply);
    // The client's answer to a device's: the response, its exception, or 0x0B.
    modbus::Pdu answer_of(std::uint8_t fc, std::error_code ec, modbus::Pdu rsp,
                          std::size_t clients);
    std::chrono::milliseconds max_age(std::size_t device) const;

    const GatewayConfig& config_;
    poll::Poller& poller_;
    GatewayStats& stats_;
    std::vector<server::DeviceIdentity> identities_;  // per device, for FC43/14
    std::map<Key, std::vector<Reply>> waiting_;       // reads on their way to a device
};

}  // namespace regpoll::gateway
