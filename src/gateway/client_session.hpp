#pragma once
// One Modbus TCP client of the gateway. Requests may be pipelined; each is handed on as it
// arrives and the answers go back in the order the requests came, whatever order they are
// ready in (a cache hit behind a device request waits for it). Buffers are bounded: at most
// `max_pending` requests unanswered (reading pauses), and a client that does not read its
// answers is dropped, so it can never hold up anything else on the event loop.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "modbus/frame.hpp"

namespace regpoll::gateway {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
  public:
    // Gets the answer PDU for one request; may be called later, at most once.
    using Reply = std::function<void(modbus::Pdu)>;
    using RequestHandler = std::function<void(const ClientSession&, const modbus::Adu&, Reply)>;
    // Why a session ended by itself: "closed", or what the client did wrong.
    using ClosedHandler =
        std::function<void(const ClientSession&, const std::string& why, bool misbehaved)>;

    static constexpr std::size_t max_pending = 16;
    static constexpr std::size_t max_unsent = 64 * 1024;

    ClientSession(boost::asio::ip::tcp::socket socket, RequestHandler on_request,
                  ClosedHandler on_closed);
    void start();
    void close();
    bool is_open() const { return !closed_; }
    const std::string& peer() const { return peer_; }

  private:
    struct Slot {
        std::uint16_t transaction = 0;
        std::uint8_t unit = 0;
        std::optional<modbus::Pdu> answer;
    };

    void read();
    void on_data(std::size_t n);
    void answer(std::uint64_t seq, modbus::Pdu pdu);
    void flush();
    void write();
    void fail(const std::string& why, bool misbehaved);

    boost::asio::ip::tcp::socket socket_;
    RequestHandler on_request_;
    ClosedHandler on_closed_;
    std::string peer_;
    std::vector<std::uint8_t> rx_ = std::vector<std::uint8_t>(4096);
    std::size_t rx_len_ = 0;
    std::deque<Slot> slots_;
    std::uint64_t first_seq_ = 0;  // sequence number of slots_.front()
    std::vector<std::uint8_t> unsent_;
    std::vector<std::uint8_t> sending_;
    bool closed_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool parsing_ = false;
};

}  // namespace regpoll::gateway
