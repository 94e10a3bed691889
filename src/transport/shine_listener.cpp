#include "transport/shine_listener.hpp"

#include <array>
#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "modbus/frame_dump.hpp"
#include "shine/record_stream.hpp"
#include "transport/listen_socket.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string hex(std::span<const std::uint8_t> bytes) {
    return modbus::hex_bytes(bytes);
}

std::string type_text(std::uint8_t type) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02x", type);
    return code + (" (" + std::string(shine::record_type_name(type)) + ")");
}

// What all connections of one listener share: options, and what was logged once already.
struct ListenerState {
    std::string name;
    ShineListenerOptions options;
    std::set<std::pair<std::string, std::string>> unknown_logged;  // (datalogger, inverter)
    std::set<std::uint8_t> types_logged;
    bool alive = true;

    void log(LogLevel level, const std::string& text) const {
        if (options.log) options.log(level, name + ": " + text);
    }
};

class ShineSession : public std::enable_shared_from_this<ShineSession> {
  public:
    ShineSession(tcp::socket socket, std::string peer, std::shared_ptr<ListenerState> state)
        : socket_(std::move(socket)), peer_(std::move(peer)), state_(std::move(state)) {}

    void start() {
        commands_ = std::make_shared<ShineCommandQueue>(
            socket_.get_executor(), state_->options.command_timeout,
            [weak = weak_from_this()](std::vector<std::uint8_t> frame) {
                if (auto self = weak.lock()) self->send(std::move(frame));
            });
        if (state_->options.relay) start_relay(*state_->options.relay);
        read();
    }
    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
        if (commands_) commands_->fail_all(who() + ": connection closed");
        if (relay_) relay_->close();
    }
    bool is_open() const { return socket_.is_open(); }
    const std::string& datalogger() const { return datalogger_; }

    void command(const std::string& inverter, const ShineCommandBuilder& build,
                 ShineCommandDone done) {
        const auto unit = units_.find(inverter);
        const shine::CommandTarget to{1, protocol_, unit == units_.end() ? std::uint8_t{1} : unit->second,
                                      datalogger_};
        commands_->push(build(to), std::move(done));
    }

  private:
    void read() {
        socket_.async_read_some(
            asio::buffer(rx_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec) return self->on_closed(ec);
                if (!self->state_->alive)
                    return;  // the listener (and whoever it reports to) is gone
                self->stream_.append(std::span(self->rx_).first(n));
                self->drain();
                if (self->socket_.is_open()) self->read();
            });
    }

    void on_closed(const boost::system::error_code& ec) {
        if (!state_->alive || ec == asio::error::operation_aborted) return;
        state_->log(LogLevel::info, who() + " disconnected (" + ec.message() + ")");
        close();
    }

    std::string who() const {
        return datalogger_.empty() ? "connection from " + peer_
                                   : "datalogger " + datalogger_ + " (" + peer_ + ")";
    }

    void drain() {
        while (socket_.is_open()) {
            shine::CutResult r = stream_.next();
            if (r.status == shine::CutResult::Status::need_more) return;
            if (r.status == shine::CutResult::Status::dropped) {
                state_->log(LogLevel::warning,
                            who() + ": dropped " + std::to_string(r.consumed) +
                                " bytes: " + std::string(shine::describe(r.error)) + " (" +
                                std::to_string(stream_.counters().dropped) +
                                " drops on this connection)");
                continue;
            }
            handle(r.frame);
        }
    }

    void handle(const shine::Frame& f) {
        state_->log(LogLevel::debug, who() + ": rx " + type_text(f.type) + " " + hex(f.raw));
        // The answer to a command of regpoll's is not the cloud's business; every other record
        // (the answers to the cloud's own commands among them) goes to the relay.
        const bool ours = shine::is_command_type(f.type) && commands_->on_answer(f);
        if (ours) return;
        if (relay_) relay_->from_stick(f);
        const std::string logger = shine::datalogger_of(f);
        if (f.type == static_cast<std::uint8_t>(shine::RecordType::aes_key) ||
            (shine::is_data_record(f.type) && !shine::plausible_serial(logger))) {
            return encrypted();
        }
        if (shine::is_command_type(f.type)) {
            state_->log(LogLevel::debug, who() + ": " + type_text(f.type) + " answers no command of regpoll's" +
                                             (relay_ ? " (passed to the relay)" : ""));
            return;
        }
        if (datalogger_.empty() && shine::plausible_serial(logger)) {
            datalogger_ = logger;
            protocol_ = f.protocol;
            commands_->set_who(who());
            state_->log(LogLevel::info,
                        who() + " connected (protocol " + std::to_string(f.protocol) + ")");
        }
        switch (shine::reply_to(f.type)) {
            case shine::Reply::echo:
                if (!admit(logger, {})) return;
                return answer(f, f.raw);
            case shine::Reply::ack:
                return data(f, logger);
            case shine::Reply::none:
                if (state_->types_logged.insert(f.type).second) {
                    state_->log(LogLevel::info,
                                who() + ": record type " + type_text(f.type) +
                                    " is not handled and not acked (logged once per type)");
                }
                return;
        }
    }

    void data(const shine::Frame& f, const std::string& logger) {
        if (!shine::is_data_record(f.type)) {  // smart meter records: acked, not decoded
            if (state_->types_logged.insert(f.type).second) {
                state_->log(LogLevel::info, who() + ": record type " + type_text(f.type) +
                                                " is acked but not decoded (logged once per type)");
            }
            if (admit(logger, {})) answer(f, shine::build_ack(f));
            return;
        }
        auto rec = shine::decode_data_record(f);
        if (!rec) {
            // It passed its CRC: ack it, or the logger sends it again and again.
            state_->log(LogLevel::warning,
                        who() + ": " + type_text(f.type) + " record not decoded: " + rec.error());
            if (admit(logger, {})) answer(f, shine::build_ack(f));
            return;
        }
        if (!admit(rec->datalogger, rec->inverter)) return;
        units_[rec->inverter] = f.unit;  // where commands to this inverter go
        answer(f, shine::build_ack(f));
        if (state_->options.known && state_->options.known(rec->datalogger, rec->inverter) &&
            state_->options.on_record) {
            state_->options.on_record(f, *rec);
        }
    }

    // A logger no device names: logged once with both serials, then acked or dropped.
    bool admit(const std::string& logger, const std::string& inverter) {
        const auto& known = state_->options.known;
        if (!known || known(logger, inverter)) return true;
        if (!inverter.empty() && state_->unknown_logged.insert({logger, inverter}).second) {
            state_->log(LogLevel::warning,
                        who() + " sends for inverter " + inverter +
                            ", which no device names: add a device with \"datalogger\": \"" +
                            logger + "\", \"inverter\": \"" + inverter + "\"" +
                            (state_->options.drop_unknown ? "; closing" : "; acking it anyway"));
        } else if (inverter.empty() && state_->unknown_logged.insert({logger, {}}).second) {
            state_->log(LogLevel::warning,
                        who() + " is not named by any device (\"datalogger\": \"" + logger + "\")" +
                            (state_->options.drop_unknown ? "; closing" : "; acking it anyway"));
        }
        if (!state_->options.drop_unknown) return true;
        close();
        return false;
    }

    void encrypted() {
        if (!aes_warned_) {
            aes_warned_ = true;
            state_->log(
                LogLevel::warning,
                who() +
                    ": this datalogger's firmware encrypts its records (AES, ShineWiFi 3.1.1.x and "
                    "later); regpoll cannot decode them and does not answer. Use an older firmware "
                    "or a datalogger that sends masked records.");
        }
    }

    // regpoll's ack or echo of a stick record; with a relay, the cloud's goes instead if it
    // comes in time.
    void answer(const shine::Frame& f, std::vector<std::uint8_t> bytes) {
        if (relay_ && relay_->hold_answer(f, bytes)) return;
        send(std::move(bytes));
    }

    void start_relay(const ShineRelayOptions& options) {
        std::weak_ptr<ShineSession> weak = shared_from_this();
        relay_ = start_shine_relay(
            socket_.get_executor(), options,
            [weak](std::vector<std::uint8_t> bytes) {
                if (auto self = weak.lock(); self && self->socket_.is_open())
                    self->send(std::move(bytes));
            },
            [weak](LogLevel level, const std::string& text) {
                if (auto self = weak.lock(); self && self->state_->alive)
                    self->state_->log(level, self->who() + ": " + text);
            });
    }

    void send(std::vector<std::uint8_t> bytes) {
        state_->log(LogLevel::debug, who() + ": tx " + hex(bytes));
        tx_.push_back(std::move(bytes));
        if (tx_.size() == 1) write_next();
    }

    void write_next() {
        asio::async_write(
            socket_, asio::buffer(tx_.front()),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                if (ec) return self->on_closed(ec);
                self->tx_.pop_front();
                if (!self->tx_.empty()) self->write_next();
            });
    }

    tcp::socket socket_;
    std::string peer_;
    std::shared_ptr<ListenerState> state_;
    std::string datalogger_;
    shine::RecordStream stream_;
    std::array<std::uint8_t, 4096> rx_{};
    std::deque<std::vector<std::uint8_t>> tx_;
    std::shared_ptr<ShineRelay> relay_;  // relay mode only
    bool aes_warned_ = false;
    std::uint16_t protocol_ = 6;
    std::map<std::string, std::uint8_t> units_;  // inverter serial -> unit byte of its records
    std::shared_ptr<ShineCommandQueue> commands_;
};

class ShineListenerImpl final : public ShineListener {
  public:
    ShineListenerImpl(asio::io_context& io, tcp::acceptor acceptor,
                      std::shared_ptr<ListenerState> state)
        : acceptor_(std::move(acceptor)), retry_timer_(io), state_(std::move(state)) {
        port_ = acceptor_.local_endpoint().port();
        accept();
    }
    ~ShineListenerImpl() override { close(); }

    void close() override {
        if (!state_->alive) return;
        state_->alive = false;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();
        for (auto& weak : sessions_) {
            if (auto s = weak.lock()) s->close();
        }
        sessions_.clear();
    }
    std::uint16_t port() const override { return port_; }

    bool connected(const std::string& datalogger) const override {
        return session_of(datalogger) != nullptr;
    }

    void command(const std::string& datalogger, const std::string& inverter,
                 const ShineCommandBuilder& build, ShineCommandDone done) override {
        if (auto session = session_of(datalogger)) return session->command(inverter, build, std::move(done));
        asio::post(acceptor_.get_executor(), [done = std::move(done), text = "datalogger " + datalogger +
                                                                        " is not connected to " + state_->name +
                                                                        " (it dials in by itself; check its "
                                                                        "server address and that it is online)"] {
            done(Unexpected{ShineCommandError{ShineCommandError::Kind::not_connected, text}});
        });
    }

  private:
    // The newest open connection of this logger (a redialled stick may leave an old one).
    std::shared_ptr<ShineSession> session_of(const std::string& datalogger) const {
        for (auto it = sessions_.rbegin(); it != sessions_.rend(); ++it) {
            auto s = it->lock();
            if (s && s->is_open() && s->datalogger() == datalogger) return s;
        }
        return nullptr;
    }

    void accept() {
        acceptor_.async_accept(
            [this, state = state_](const boost::system::error_code& ec, tcp::socket s) {
                if (!state->alive || ec == asio::error::operation_aborted) return;
                if (!ec) {
                    on_accepted(std::move(s));
                    return accept();
                }
                state->log(LogLevel::warning, "accept failed: " + ec.message());
                retry_timer_.expires_after(std::chrono::milliseconds(500));
                retry_timer_.async_wait([this, state](const boost::system::error_code& wec) {
                    if (!wec && state->alive) accept();
                });
            });
    }

    void on_accepted(tcp::socket socket) {
        boost::system::error_code ec;
        const tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec) return;
        socket.set_option(tcp::no_delay(true), ec);
        std::erase_if(sessions_, [](const std::weak_ptr<ShineSession>& w) { return w.expired(); });
        auto session =
            std::make_shared<ShineSession>(std::move(socket), endpoint_text(remote), state_);
        sessions_.push_back(session);
        session->start();
    }

    tcp::acceptor acceptor_;
    asio::steady_timer retry_timer_;
    std::shared_ptr<ListenerState> state_;
    std::vector<std::weak_ptr<ShineSession>> sessions_;
    std::uint16_t port_ = 0;
};

}  // namespace

Expected<std::shared_ptr<ShineListener>, std::string> make_shine_listener(
    asio::io_context& io, const Uri& uri, ShineListenerOptions options) {
    if (!uri.query.empty())
        return Unexpected{uri.to_string() + ": shine+listen:// takes no query parameters"};
    auto acceptor = bind_listener(io, uri);
    if (!acceptor) return Unexpected{acceptor.error()};
    auto state = std::make_shared<ListenerState>();
    Uri bound = uri;
    bound.port = acceptor->local_endpoint().port();
    state->name = bound.to_string();
    state->options = std::move(options);
    state->log(LogLevel::info, "waiting for Growatt dataloggers to dial in");
    if (const auto& relay = state->options.relay) {
        state->log(
            LogLevel::info,
            "relaying each datalogger connection to " + relay->host + ":" +
                std::to_string(relay->port) + " (cloud commands: " +
                (relay->commands == shine::RelayCommands::allow ? "allowed" : "writes blocked") +
                ")");
    }
    return std::shared_ptr<ShineListener>(
        std::make_shared<ShineListenerImpl>(io, std::move(*acceptor), state));
}

}  // namespace regpoll::transport
