#include "transport/serial_link.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/asio/serial_port.hpp>

#include "modbus/error.hpp"
#include "transport/asio_connection.hpp"
#include "transport/sequential_link.hpp"
#include "transport/serial_options.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using SerialPort = asio::serial_port;
using SerialConnection = AsioConnection<SerialPort>;

// Unix98 pty slaves (/dev/pts/N, majors 136..143), e.g. one end of a socat pair.
bool is_pseudo_terminal(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;
    const unsigned major_number = major(st.st_rdev);
    return major_number >= 136 && major_number <= 143;
}

SerialPort::parity::type parity_type(Parity p) {
    switch (p) {
        case Parity::none: return SerialPort::parity::none;
        case Parity::even: return SerialPort::parity::even;
        case Parity::odd: return SerialPort::parity::odd;
    }
    return SerialPort::parity::none;
}

class SerialConnector final : public Connector {
public:
    SerialConnector(asio::io_context& io, std::string path, LineFormat line, LogFn log)
        : io_(io), path_(std::move(path)), line_(line), log_(std::move(log)) {}

    void async_open(Milliseconds, OpenHandler handler) override {
        auto conn = std::make_shared<SerialConnection>(path_, io_);
        std::error_code ec = configure(conn->stream());
        if (ec) conn->close();
        asio::post(io_, [handler = std::move(handler), ec, conn]() {
            handler(ec, ec ? nullptr : conn);
        });
    }

    void close() override {}
    bool backs_off() const override { return true; }

private:
    std::error_code configure(SerialPort& port) {
        boost::system::error_code ec;
        port.open(path_, ec);
        if (ec) return ec;
        const bool pty = is_pseudo_terminal(path_);
        bool ignored = false;
        // Linux ptys have no line format: they drop PARENB and CS7, and glibc's tcsetattr()
        // reports EINVAL when such a drop was the only change. On a pty (tests, virtual
        // ports) bytes pass unchanged anyway, so that is only noted; on a real port it is
        // an error.
        const auto apply = [&](const auto& option) {
            if (ec) return;
            port.set_option(option, ec);
            if (ec && ec.value() == EINVAL && pty) {
                ec.clear();
                ignored = true;
            }
        };
        apply(SerialPort::baud_rate(line_.baud));
        apply(SerialPort::character_size(line_.data_bits));
        apply(SerialPort::stop_bits(line_.stop_bits == 2 ? SerialPort::stop_bits::two
                                                         : SerialPort::stop_bits::one));
        apply(SerialPort::flow_control(SerialPort::flow_control::none));
        apply(SerialPort::parity(parity_type(line_.parity)));
        if (ec) return ec;
        termios now {};
        if (::tcgetattr(port.native_handle(), &now) == 0 &&
            (line_.parity != Parity::none) != ((now.c_cflag & PARENB) != 0)) {
            ignored = true;
        }
        if (ignored && log_ && !noted_) {
            noted_ = true;
            log_(pty ? LogLevel::info : LogLevel::warning,
                 path_ + (pty ? " is a pseudo-terminal: parity and data bits have no effect there"
                              : ": the driver did not keep the parity setting"));
        }
        // Whatever arrived before we opened belongs to nobody.
        ::tcflush(port.native_handle(), TCIOFLUSH);
        return {};
    }

    asio::io_context& io_;
    std::string path_;
    LineFormat line_;
    LogFn log_;
    bool noted_ = false;
};

}  // namespace

Expected<std::shared_ptr<Link>, std::string> make_serial_link(boost::asio::io_context& io,
                                                              const Uri& uri, const LogFn& log) {
    auto options = parse_bus_options(uri);
    if (!options) return Unexpected{options.error()};
    const LineFormat& line = options->line;
    SequentialConfig cfg;
    cfg.name = uri.to_string();
    cfg.framing = uri.scheme == "ascii" ? modbus::Framing::ascii : modbus::Framing::rtu;
    cfg.echo = options->echo;
    cfg.turnaround = options->turnaround;
    cfg.pause = options->pause;
    if (options->timeout) cfg.default_timeout = *options->timeout;
    cfg.log = log;
    cfg.timing.character = character_time(line);
    if (cfg.framing == modbus::Framing::rtu) {
        const RtuTiming rtu = rtu_timing(line);
        cfg.timing.silence = rtu.t35;
        cfg.timing.max_gap = options->gap ? Nanoseconds(*options->gap) : rtu.t15 + latency_allowance;
        cfg.timing.resync = rtu.t35 + latency_allowance;
    } else {
        // ASCII frames delimit themselves; MSL allows up to 1 s between characters.
        cfg.timing.max_gap = options->gap ? Nanoseconds(*options->gap) : std::chrono::seconds(1);
        cfg.timing.resync = latency_allowance;
    }
    return make_sequential_link(io, std::make_unique<SerialConnector>(io, uri.path, line, log),
                                std::move(cfg));
}

}  // namespace regpoll::transport
