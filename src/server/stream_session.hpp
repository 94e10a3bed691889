#pragma once
// Private to the servers: one byte stream (a TCP connection or a serial port) served by a
// Responder. Requests are taken up one at a time in arrival order, so a delayed reply
// delays the ones behind it as on a real device, and pipelined requests are answered in
// order. Replies that are ready together leave in one write. A request is taken up when it
// arrived (on TCP, the kernel's receive time) or when the reply before it left, whichever
// is later: a fault delay runs from there.
#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <system_error>
#include <type_traits>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "server/receive_time.hpp"
#include "server/responder.hpp"

namespace regpoll::server::detail {

struct SessionOptions {
    // A framing error makes the stream unusable (MBAP: no way to find the next header).
    bool close_on_bad_frame = false;
    // Serial RTU: after a bad frame, input is ignored until the line has been quiet this
    // long, and a partial frame followed by this much quiet is dropped. 0: off.
    Milliseconds resync_silence{0};
};

template <class Stream>
class StreamSession : public std::enable_shared_from_this<StreamSession<Stream>> {
  public:
    using ClosedHandler = std::function<void(std::error_code)>;

    StreamSession(Stream stream, std::shared_ptr<Responder> responder, SessionOptions options)
        : stream_(std::move(stream)),
          responder_(std::move(responder)),
          options_(options),
          delay_timer_(stream_.get_executor()),
          silence_timer_(stream_.get_executor()) {}

    // Called once when the session ends by itself (peer gone, read error, injected
    // disconnect); not called for close().
    void set_closed_handler(ClosedHandler handler) { on_closed_ = std::move(handler); }

    void start() {
        if constexpr (stamps_arrival) enable_receive_timestamps(stream_.native_handle());
        read();
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        delay_timer_.cancel();
        silence_timer_.cancel();
        boost::system::error_code ignored;
        stream_.close(ignored);
    }

    bool is_open() const { return !closed_; }
    Stream& stream() { return stream_; }

  private:
    // TCP sockets have receive timestamps; serial ports do not (arrival = time of the read).
    static constexpr bool stamps_arrival = std::is_same_v<Stream, boost::asio::ip::tcp::socket>;
    static constexpr std::size_t max_pending = 64;        // parsed, not yet answered

    struct PendingRequest {
        modbus::Adu adu;
        SteadyTime arrival;
    };

    static constexpr std::size_t max_unsent = 64 * 1024;  // bytes waiting for the peer

    void fail(std::error_code ec) {
        if (closed_) return;
        close();
        if (on_closed_) on_closed_(ec);
    }

    void read() {
        if (closed_ || reading_) return;
        if (pending_.size() >= max_pending || unsent_.size() >= max_unsent) return;
        reading_ = true;
        if (rx_len_ == rx_.size()) rx_len_ = 0;  // cannot happen with bounded frames; be safe
        if constexpr (stamps_arrival) {
            // Wait, then read with the kernel's receive time (Asio's reads do not return it).
            stream_.async_wait(Stream::wait_read, [self = this->shared_from_this()](
                                                      const boost::system::error_code& ec) {
                self->reading_ = false;
                if (self->closed_) return;
                if (ec) return self->fail(ec);
                const StampedRead r = read_stamped(
                    self->stream_.native_handle(),
                    std::span<std::uint8_t>(self->rx_.data() + self->rx_len_, self->rx_.size() - self->rx_len_));
                if (r.would_block) return self->read();
                if (r.end_of_stream) return self->fail(boost::system::error_code(boost::asio::error::eof));
                if (r.error) return self->fail(r.error);
                self->on_data(r.bytes, r.arrival);
            });
        } else {
            stream_.async_read_some(
                boost::asio::buffer(rx_.data() + rx_len_, rx_.size() - rx_len_),
                [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                    self->reading_ = false;
                    if (self->closed_) return;
                    if (ec) return self->fail(ec);
                    self->on_data(n, std::chrono::steady_clock::now());
                });
        }
    }

    void on_data(std::size_t n, SteadyTime arrival) {
        if (options_.resync_silence.count() > 0) arm_silence();
        if (discarding_) {
            read();
            return;
        }
        if (drop_partial_) {
            // The read went in behind the stale bytes; keep only what it brought.
            std::memmove(rx_.data(), rx_.data() + rx_len_, n);
            rx_len_ = 0;
            drop_partial_ = false;
        }
        rx_len_ += n;
        std::size_t offset = 0;
        while (offset < rx_len_) {
            auto r = responder_->parse(
                std::span<const std::uint8_t>(rx_.data() + offset, rx_len_ - offset));
            if (r.status == modbus::ParseResult::Status::frame) {
                pending_.push_back(PendingRequest{std::move(r.adu), arrival});
                offset += r.consumed;
                continue;
            }
            if (r.status == modbus::ParseResult::Status::need_more) {
                if (r.consumed == 0) break;
                offset += r.consumed;  // garbage before a frame start
                continue;
            }
            responder_->count_bad_frame();
            if (options_.close_on_bad_frame) return fail(r.error);
            if (responder_->framing() == modbus::Framing::ascii) {
                offset += std::max<std::size_t>(r.consumed, 1);
                continue;
            }
            // RTU has no frame marker: drop what we have and wait for a quiet line.
            offset = rx_len_;
            discarding_ = options_.resync_silence.count() > 0;
        }
        std::memmove(rx_.data(), rx_.data() + offset, rx_len_ - offset);
        rx_len_ -= offset;
        process();
        read();
    }

    void arm_silence() {
        silence_timer_.expires_after(options_.resync_silence);
        silence_timer_.async_wait(
            [self = this->shared_from_this()](const boost::system::error_code& ec) {
                if (ec || self->closed_) return;
                self->discarding_ = false;
                if (self->rx_len_ > 0 && !self->drop_partial_) {  // a frame that never completed
                    self->responder_->count_bad_frame();
                    // A read is in flight into the buffer behind these bytes: on_data drops them.
                    self->drop_partial_ = true;
                }
            });
    }

    // Answers pending requests until one needs a delay.
    void process() {
        while (!closed_ && !delaying_ && !pending_.empty()) {
            PendingRequest request = std::move(pending_.front());
            pending_.pop_front();
            ServerReply reply = responder_->respond(request.adu);
            if (reply.action == ServerReply::Action::disconnect) {
                return fail(std::make_error_code(std::errc::connection_aborted));
            }
            if (reply.action == ServerReply::Action::none) continue;
            if (reply.delay.count() > 0) {
                delaying_ = true;
                // Due on the device's own clock: lateness of this process never adds up.
                const SteadyTime due = std::max(request.arrival, free_at_) + reply.delay;
                delay_timer_.expires_at(due);
                delay_timer_.async_wait(
                    [self = this->shared_from_this(), due,
                     adu = std::move(reply.adu)](const boost::system::error_code& ec) {
                        self->delaying_ = false;
                        if (ec || self->closed_) return;
                        self->free_at_ = due;
                        self->unsent_.insert(self->unsent_.end(), adu.begin(), adu.end());
                        self->process();
                        self->read();
                    });
                break;
            }
            unsent_.insert(unsent_.end(), reply.adu.begin(), reply.adu.end());
        }
        write();
    }

    void write() {
        if (closed_ || writing_ || unsent_.empty()) return;
        writing_ = true;
        sending_.swap(unsent_);
        boost::asio::async_write(
            stream_, boost::asio::buffer(sending_),
            [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                self->writing_ = false;
                self->sending_.clear();
                if (self->closed_) return;
                if (ec) return self->fail(ec);
                self->write();
                self->read();
            });
    }

    Stream stream_;
    std::shared_ptr<Responder> responder_;
    SessionOptions options_;
    boost::asio::steady_timer delay_timer_;
    boost::asio::steady_timer silence_timer_;
    ClosedHandler on_closed_;
    std::vector<std::uint8_t> rx_ = std::vector<std::uint8_t>(8192);
    std::size_t rx_len_ = 0;
    std::deque<PendingRequest> pending_;
    SteadyTime free_at_{};  // when the last delayed reply was due
    std::vector<std::uint8_t> unsent_;
    std::vector<std::uint8_t> sending_;
    bool closed_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool delaying_ = false;
    bool discarding_ = false;
    bool drop_partial_ = false;
};

}  // namespace regpoll::server::detail
