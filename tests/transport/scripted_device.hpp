// A Modbus device whose every answer a test scripts, on any Asio stream (one end of a pty
// pair, a TCP socket): for the fault cases an independent server will not produce on
// demand — frames split at odd places or with a gap inside, echoes, bad CRCs, wrong
// units, late answers. The happy paths run against pymodbus in tests/integration.
#pragma once

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "modbus/ascii.hpp"
#include "modbus/mbap.hpp"
#include "modbus/rtu.hpp"
#include "transport/link.hpp"

namespace regpoll::transport::test {

namespace asio = boost::asio;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

template <class Stream>
class ScriptedDevice : public std::enable_shared_from_this<ScriptedDevice<Stream>> {
public:
    using Script = std::function<void(ScriptedDevice&, const modbus::Adu&)>;

    ScriptedDevice(Stream stream, modbus::Framing framing, Script script)
        : stream_(std::move(stream)), framing_(framing), script_(std::move(script)) {}

    void start() { read(); }

    // Writes now (the bytes are small: a pty or socket buffer takes them at once).
    void write(const Bytes& bytes) {
        asio::write(stream_, asio::buffer(bytes));
        last_write_ = Clock::now();
    }

    // Writes `bytes` cut at `cuts`, one piece every `pause` (the first one now).
    void write_pieces(const Bytes& bytes, std::vector<std::size_t> cuts,
                      std::chrono::milliseconds pause) {
        std::vector<Bytes> pieces;
        std::size_t from = 0;
        cuts.push_back(bytes.size());
        for (auto to : cuts) {
            pieces.emplace_back(bytes.begin() + static_cast<long>(from),
                                bytes.begin() + static_cast<long>(to));
            from = to;
        }
        write_sequence(std::make_shared<std::vector<Bytes>>(std::move(pieces)), 0, pause);
    }

    void write_after(std::chrono::milliseconds delay, Bytes bytes) {
        auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor(), delay);
        timer->async_wait([self = this->shared_from_this(), timer, bytes](auto ec) {
            if (!ec) self->write(bytes);
        });
    }

    // The frame of `pdu` from `unit` in this device's framing (MBAP echoes `request`'s id).
    Bytes frame(std::uint8_t unit, const modbus::Pdu& pdu, const modbus::Adu& request) const {
        switch (framing_) {
            case modbus::Framing::rtu: return modbus::encode_rtu(unit, pdu);
            case modbus::Framing::ascii: return modbus::encode_ascii(unit, pdu);
            case modbus::Framing::mbap: return modbus::encode_mbap(request.transaction, unit, pdu);
        }
        return {};
    }

    const std::vector<Clock::time_point>& request_times() const { return request_times_; }
    const std::vector<Bytes>& raw_requests() const { return raw_requests_; }
    std::size_t requests() const { return request_times_.size(); }
    Clock::time_point last_write() const { return last_write_; }
    // Whether the other side closed the connection (reading hit end of file).
    bool closed_by_peer() const {
        return read_error_ == asio::error::eof || read_error_ == asio::error::connection_reset;
    }
    Stream& stream() { return stream_; }

private:
    void write_sequence(std::shared_ptr<std::vector<Bytes>> pieces, std::size_t i,
                        std::chrono::milliseconds pause) {
        write((*pieces)[i]);
        if (i + 1 == pieces->size()) return;
        auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor(), pause);
        timer->async_wait([self = this->shared_from_this(), timer, pieces, i, pause](auto ec) {
            if (!ec) self->write_sequence(pieces, i + 1, pause);
        });
    }

    void read() {
        stream_.async_read_some(asio::buffer(chunk_),
                                [self = this->shared_from_this()](auto ec, std::size_t n) {
                                    if (ec) {
                                        self->read_error_ = ec;
                                        return;
                                    }
                                    self->on_bytes(n);
                                    self->read();
                                });
    }

    void on_bytes(std::size_t n) {
        buffer_.insert(buffer_.end(), chunk_.begin(), chunk_.begin() + static_cast<long>(n));
        while (!buffer_.empty()) {
            modbus::ParseResult r;
            switch (framing_) {
                case modbus::Framing::rtu:
                    r = modbus::parse_rtu(buffer_, modbus::Direction::request);
                    break;
                case modbus::Framing::ascii: r = modbus::parse_ascii(buffer_); break;
                case modbus::Framing::mbap: r = modbus::parse_mbap(buffer_); break;
            }
            if (r.status == modbus::ParseResult::Status::need_more && r.consumed == 0) return;
            Bytes raw(buffer_.begin(), buffer_.begin() + static_cast<long>(r.consumed));
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(r.consumed));
            if (r.status != modbus::ParseResult::Status::frame) continue;
            request_times_.push_back(Clock::now());
            raw_requests_.push_back(raw);
            script_(*this, r.adu);
        }
    }

    Stream stream_;
    modbus::Framing framing_;
    Script script_;
    std::array<std::uint8_t, 512> chunk_{};
    Bytes buffer_;
    std::vector<Clock::time_point> request_times_;
    std::vector<Bytes> raw_requests_;
    Clock::time_point last_write_{};
    boost::system::error_code read_error_;
};

using PtyDevice = ScriptedDevice<asio::posix::stream_descriptor>;

// Opens the device end of a pty pair, raw, for a ScriptedDevice.
inline std::shared_ptr<PtyDevice> open_pty_device(asio::io_context& io, const std::string& path,
                                                  modbus::Framing framing, PtyDevice::Script script) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    termios t{};
    ::tcgetattr(fd, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(fd, TCSANOW, &t);
    auto device = std::make_shared<PtyDevice>(asio::posix::stream_descriptor(io, fd), framing,
                                              std::move(script));
    device->start();
    return device;
}

// FC3/FC4 answer with register i = address + i; a write echo for FC5/6/15/16.
inline modbus::Pdu normal_answer(const modbus::Pdu& request) {
    const std::uint8_t fc = request.at(0);
    if (fc == 3 || fc == 4) {
        const std::uint16_t address = modbus::get_u16(request, 1);
        const std::uint16_t count = modbus::get_u16(request, 3);
        modbus::Pdu pdu{fc, static_cast<std::uint8_t>(2 * count)};
        for (std::uint16_t i = 0; i < count; ++i) modbus::put_u16(pdu, static_cast<std::uint16_t>(address + i));
        return pdu;
    }
    return modbus::Pdu(request.begin(), request.begin() + 5);
}

struct Outcome {
    bool done = false;
    std::error_code ec;
    modbus::Pdu pdu;
    Clock::time_point at{};
};

inline Handler capture(Outcome& o) {
    return [&o](std::error_code ec, modbus::Pdu pdu) {
        o.done = true;
        o.ec = ec;
        o.pdu = std::move(pdu);
        o.at = Clock::now();
    };
}

// Runs the loop until `done`, or fails the hang after a generous deadline.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = 20s) {
    const auto deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline) {
        if (io.stopped()) io.restart();  // ran out of work earlier: nothing pending is fine
        io.run_one_for(20ms);
    }
    return done();
}

inline modbus::Pdu read_request(std::uint16_t address, std::uint16_t count = 1) {
    return *modbus::make_read_request(modbus::Function::read_holding_registers, address, count);
}

}  // namespace regpoll::transport::test
