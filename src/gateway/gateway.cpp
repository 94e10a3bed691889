#include "gateway/gateway.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/client_session.hpp"
#include "gateway/dispatcher.hpp"
#include "server/session_list.hpp"
#include "server/tcp_listener.hpp"

namespace regpoll::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Gateway::State : std::enable_shared_from_this<Gateway::State> {
    State(asio::io_context& io_context, GatewayConfig cfg, poll::Poller& poller)
        : config(std::move(cfg)) {
        dispatcher = std::make_shared<Dispatcher>(config, poller, stats);
        // The listener lives no longer than the state it hands connections to.
        listener = std::make_shared<server::TcpListener>(
            io_context, [this](tcp::socket socket) { admit(std::move(socket)); });
    }

    void admit(tcp::socket socket) {
        if (const auto open = sessions.prune(); open >= config.max_clients) {
            ++stats.refused;
            spdlog::debug("gateway {}: {} clients already; connection refused", config.listen,
                          open);
            boost::system::error_code ignored;
            socket.close(ignored);
            return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        // A client that vanished without closing (power cut, Wi-Fi gone) frees its place
        // once the system's keep-alive gives up on it.
        socket.set_option(asio::socket_base::keep_alive(true), ignored);
        ++stats.connections;
        std::weak_ptr<State> weak = shared_from_this();
        auto session = std::make_shared<ClientSession>(
            std::move(socket),
            [weak](const ClientSession& client, const modbus::Adu& adu,
                   ClientSession::Reply reply) {
                if (auto self = weak.lock())
                    self->dispatcher->handle(client.peer(), adu, std::move(reply));
            },
            [weak](const ClientSession& client, const std::string& why, bool misbehaved) {
                auto self = weak.lock();
                if (!self) return;
                if (misbehaved) {
                    ++self->stats.dropped;
                    spdlog::warn("gateway {}: client {} dropped: {}", self->config.listen,
                                 client.peer(), why);
                } else {
                    spdlog::debug("gateway {}: client {} gone: {}", self->config.listen,
                                  client.peer(), why);
                }
            });
        spdlog::debug("gateway {}: client {} connected", config.listen, session->peer());
        sessions.add(session);
        session->start();
    }

    GatewayConfig config;
    GatewayStats stats;
    std::shared_ptr<Dispatcher> dispatcher;
    server::SessionList<ClientSession> sessions;
    std::shared_ptr<server::TcpListener> listener;
};

Gateway::Gateway(asio::io_context& io, GatewayConfig config, poll::Poller& poller)
    : state_(std::make_shared<State>(io, std::move(config), poller)) {}

Gateway::~Gateway() {
    stop();
}

std::error_code Gateway::start() {
    return state_->listener->start(state_->config.host, state_->config.port);
}

void Gateway::stop() {
    state_->listener->stop();
    state_->sessions.close_all();
}

std::uint16_t Gateway::port() const {
    return state_->listener->port();
}

std::size_t Gateway::clients() const {
    return state_->sessions.open();
}

const GatewayStats& Gateway::stats() const {
    return state_->stats;
}

const GatewayConfig& Gateway::config() const {
    return state_->config;
}

std::string Gateway::stats_line() const {
    const auto& s = state_->stats;
    return fmt::format(
        "gateway {}: {} clients ({} accepted, {} refused, {} dropped), {} requests, {} cache hits, "
        "{} device requests ({} shared), {} writes, {} exceptions",
        state_->config.listen, clients(), s.connections, s.refused, s.dropped, s.requests,
        s.cache_hits, s.device_requests, s.shared, s.writes, s.exceptions);
}

nlohmann::json Gateway::status_json() const {
    const auto& s = state_->stats;
    return {{"listen", state_->config.listen},
            {"port", port()},
            {"clients", clients()},
            {"connections", s.connections},
            {"refused", s.refused},
            {"dropped", s.dropped},
            {"requests", s.requests},
            {"cache_hits", s.cache_hits},
            {"device_requests", s.device_requests},
            {"shared", s.shared},
            {"writes", s.writes},
            {"exceptions", s.exceptions}};
}

}  // namespace regpoll::gateway
