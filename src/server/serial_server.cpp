#include "server/serial_server.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <chrono>

#include <boost/asio/serial_port.hpp>

#include "server/stream_session.hpp"

namespace regpoll::server {
namespace {

namespace asio = boost::asio;
using Session = detail::StreamSession<asio::serial_port>;

// MSL 2.5.1.1: 3.5 characters of 11 bits, fixed at 1.75 ms above 19200 baud.
Milliseconds resync_silence_for(const SerialServerOptions& o) {
    if (o.resync_silence.count() > 0) return o.resync_silence;
    const double t35_ms = o.baud > 19200 ? 1.75 : 3.5 * 11 * 1000.0 / std::max(1U, o.baud);
    return std::max(Milliseconds(50), Milliseconds(static_cast<long>(t35_ms) + 1));
}

std::error_code configure(asio::serial_port& port, const SerialServerOptions& o) {
    using sp = asio::serial_port_base;
    boost::system::error_code ec;
    port.set_option(sp::baud_rate(o.baud), ec);
    if (!ec) port.set_option(sp::character_size(o.data_bits), ec);
    if (!ec) {
        port.set_option(sp::stop_bits(o.stop_bits == 2 ? sp::stop_bits::two : sp::stop_bits::one),
                        ec);
    }
    if (!ec) port.set_option(sp::flow_control(sp::flow_control::none), ec);
    if (!ec && !is_pseudo_terminal(o.device)) {
        const auto parity = o.parity == 'E'   ? sp::parity::even
                            : o.parity == 'O' ? sp::parity::odd
                                              : sp::parity::none;
        port.set_option(sp::parity(parity), ec);
    }
    return ec;
}

}  // namespace

bool is_pseudo_terminal(const std::string& device) {
    struct stat st {};
    if (::stat(device.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;
    const unsigned major_number = major(st.st_rdev);
    return major_number >= 136 && major_number <= 143;
}

struct SerialServer::State {
    State(asio::io_context& io_context, DataTables& tables, SerialServerOptions opts)
        : io(io_context),
          options(std::move(opts)),
          responder(std::make_shared<Responder>(tables, options.framing, options.serve,
                                                FaultPolicy(options.faults, options.fault_seed))) {}

    asio::io_context& io;
    SerialServerOptions options;
    std::shared_ptr<Responder> responder;
    std::shared_ptr<Session> session;
    std::function<void(std::error_code)> on_failure;
};

SerialServer::SerialServer(asio::io_context& io, DataTables& tables, SerialServerOptions options)
    : state_(std::make_shared<State>(io, tables, std::move(options))) {}

SerialServer::~SerialServer() {
    stop();
}

std::error_code SerialServer::start() {
    State& s = *state_;
    if (s.options.framing == modbus::Framing::mbap) {
        return std::make_error_code(std::errc::invalid_argument);
    }
    asio::serial_port port(s.io);
    boost::system::error_code ec;
    port.open(s.options.device, ec);
    if (ec) return ec;
    if (auto cfg = configure(port, s.options)) return cfg;
    detail::SessionOptions session_options;
    if (s.options.framing == modbus::Framing::rtu) {
        session_options.resync_silence = resync_silence_for(s.options);
    }
    s.session = std::make_shared<Session>(std::move(port), s.responder, session_options);
    s.session->set_closed_handler([weak = std::weak_ptr<State>(state_)](std::error_code error) {
        if (auto state = weak.lock(); state && state->on_failure) state->on_failure(error);
    });
    s.session->start();
    return {};
}

void SerialServer::stop() {
    if (state_->session) state_->session->close();
}

void SerialServer::set_failure_handler(std::function<void(std::error_code)> handler) {
    state_->on_failure = std::move(handler);
}

const ServerStats& SerialServer::stats() const {
    return state_->responder->stats();
}

}  // namespace regpoll::server
