#include "transport/tcp_link.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "modbus/error.hpp"
#include "modbus/mbap.hpp"
#include "modbus/pdu.hpp"
#include "modbus/pdu_length.hpp"
#include "transport/backoff.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using modbus::Errc;

struct Pending {
    std::uint8_t unit;
    modbus::Pdu request;
    Milliseconds timeout;
    Handler handler;
};

struct InFlight {
    std::uint16_t transaction;
    Pending pending;
    Clock::time_point deadline;
};

class TcpLink final : public Link, public std::enable_shared_from_this<TcpLink> {
public:
    TcpLink(asio::io_context& io, Uri uri, const TcpOptions& options)
        : io_(io),
          socket_(io),
          resolver_(io),
          timer_(io),
          uri_(std::move(uri)),
          options_(options),
          backoff_(options.reconnect_initial, options.reconnect_cap) {
        if (options_.max_in_flight == 0) options_.max_in_flight = 1;
    }

    void async_transact(std::uint8_t unit, modbus::Pdu request, Milliseconds timeout,
                        Handler handler) override {
        ++stats_.requests;
        // Connected with room: send now (no handler runs here, so this keeps the contract).
        if (state_ == State::connected && queue_.empty() &&
            in_flight_.size() < options_.max_in_flight &&
            options_.pause_between_requests.count() == 0) {
            send(Pending{unit, std::move(request), timeout, std::move(handler)});
            return;
        }
        queue_.push_back(Pending{unit, std::move(request), timeout, std::move(handler)});
        if (!pump_posted_) {
            pump_posted_ = true;
            asio::post(io_, [self = shared_from_this()] {
                self->pump_posted_ = false;
                self->pump();
            });
        }
    }

    void close() override {
        closed_ = true;
        drop_connection(modbus::make_error_code(Errc::cancelled));
        fail_queue(modbus::make_error_code(Errc::cancelled));
    }

    std::string describe() const override { return uri_.to_string(); }

private:
    enum class State { disconnected, connecting, pausing, connected };

    void pump() {
        if (closed_) return;
        if (state_ == State::disconnected) {
            if (!queue_.empty()) start_connect();
            return;
        }
        if (state_ != State::connected) return;
        while (!queue_.empty() && in_flight_.size() < options_.max_in_flight) {
            if (options_.pause_between_requests.count() > 0 && Clock::now() < next_send_) {
                arm_pause(next_send_);
                return;
            }
            Pending p = std::move(queue_.front());
            queue_.erase(queue_.begin());
            send(std::move(p));
        }
    }

    void start_connect() {
        if (!backoff_.may_attempt(Clock::now())) {
            fail_queue(last_connect_error_);
            return;
        }
        state_ = State::connecting;
        connect_timed_out_ = false;
        ++stats_.connects;
        const auto gen = ++generation_;
        auto self = shared_from_this();
        // Nothing is in flight while connecting: the requests' timer keeps the connect's time.
        timer_.expires_after(options_.connect_timeout);
        timer_.async_wait([self, gen](const boost::system::error_code& ec) {
            if (ec || gen != self->generation_ || self->state_ != State::connecting) return;
            self->connect_timed_out_ = true;
            self->resolver_.cancel();
            boost::system::error_code ignored;
            self->socket_.close(ignored);
        });
        resolver_.async_resolve(
            uri_.host, std::to_string(uri_.port),
            [self, gen](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                if (gen != self->generation_) return;
                if (ec) return self->on_connect_failed(ec);
                asio::async_connect(self->socket_, results,
                                    [self, gen](const boost::system::error_code& cec,
                                                const tcp::endpoint&) {
                                        if (gen != self->generation_) return;
                                        if (cec) return self->on_connect_failed(cec);
                                        self->on_connected();
                                    });
            });
    }

    void on_connect_failed(std::error_code ec) {
        timer_.cancel();
        if (connect_timed_out_) ec = modbus::make_error_code(Errc::timeout);
        boost::system::error_code ignored;
        socket_.close(ignored);
        state_ = State::disconnected;
        backoff_.failed(Clock::now());
        last_connect_error_ = ec;
        fail_queue(ec);
    }

    void on_connected() {
        timer_.cancel();
        backoff_.succeeded();
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        rx_len_ = 0;
        start_read(generation_);
        if (options_.pause_after_connect.count() > 0) {
            state_ = State::pausing;
            arm_pause(Clock::now() + options_.pause_after_connect);
            return;
        }
        state_ = State::connected;
        pump();
    }

    // One timer serves both quiet times: after connect and between requests. It is made when
    // first needed: most devices want neither.
    void arm_pause(Clock::time_point until) {
        if (pause_armed_) return;
        pause_armed_ = true;
        if (!pause_timer_) pause_timer_ = std::make_unique<asio::steady_timer>(io_);
        pause_timer_->expires_at(until);
        pause_timer_->async_wait(
            [self = shared_from_this(), gen = generation_](const boost::system::error_code& ec) {
                self->pause_armed_ = false;
                if (ec || gen != self->generation_) return;
                if (self->state_ == State::pausing) self->state_ = State::connected;
                self->pump();
            });
    }

    void send(Pending p) {
        const std::uint16_t tid = next_transaction_++;
        const auto at = tx_next_.size();
        modbus::append_mbap(tx_next_, tid, p.unit, p.request);
        if (trace_) trace_(true, modbus::Framing::mbap, std::span<const std::uint8_t>(tx_next_).subspan(at));
        const auto deadline = Clock::now() + p.timeout;
        in_flight_.push_back(InFlight{tid, std::move(p), deadline});
        arm_timeout(deadline);
        if (!writing_) write_next();
    }

    // One timer for all requests in flight, armed for the earliest deadline. A response
    // does not cancel it: when it fires it fails what is overdue and re-arms for the rest.
    void arm_timeout(Clock::time_point deadline) {
        if (timeout_armed_ && timeout_at_ <= deadline) return;
        timeout_armed_ = true;
        timeout_at_ = deadline;
        timer_.expires_at(deadline);
        timer_.async_wait(
            [self = shared_from_this(), gen = generation_, deadline](const boost::system::error_code& ec) {
                if (ec || gen != self->generation_ || deadline != self->timeout_at_) return;
                self->timeout_armed_ = false;
                self->on_timer();
            });
    }

    void on_timer() {
        const auto now = Clock::now();
        while (true) {
            auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                                   [&](const InFlight& f) { return f.deadline <= now; });
            if (it == in_flight_.end()) break;
            const auto gen = generation_;
            on_timeout(it->transaction);
            if (gen != generation_) return;
        }
        if (in_flight_.empty()) return;
        auto earliest = std::min_element(in_flight_.begin(), in_flight_.end(),
                                         [](const InFlight& a, const InFlight& b) {
                                             return a.deadline < b.deadline;
                                         });
        arm_timeout(earliest->deadline);
    }

    void write_next() {
        if (tx_next_.empty()) {
            writing_ = false;
            return;
        }
        writing_ = true;
        // Everything queued goes out in one write of one buffer (pipelined requests share a
        // segment); what is sent meanwhile gathers in the other. Both keep their capacity: no
        // allocation per request, and asio's write of one buffer is a small operation (a
        // sequence of buffers made it ~1 KB, too large for any cache: a malloc each write).
        tx_out_.swap(tx_next_);
        tx_next_.clear();
        asio::async_write(socket_, asio::buffer(tx_out_),
                          [self = shared_from_this(), gen = generation_](const boost::system::error_code& ec,
                                                                         std::size_t) {
                              if (gen != self->generation_) return;
                              if (ec) return self->connection_lost(ec);
                              self->write_next();
                          });
    }

    // The receive buffer holds the answers awaited (a 50-register read: 109 bytes) and
    // whatever frame is arriving, up to the largest ADU (7 + 253 bytes; parse_mbap refuses a
    // frame that claims more); it grows to the device's largest answer and stays there.
    // Only resized here, before a read is posted: a pending read points into it.
    void make_room() {
        constexpr std::size_t largest_adu = modbus::max_pdu_size + modbus::mbap_header_size;
        constexpr std::size_t awaited_limit = 2 * largest_adu;  // answers read ahead at most
        std::size_t awaited = 0, counted = 0;
        auto await = [&](const modbus::Pdu& request) {
            if (counted++ >= options_.max_in_flight) return;
            const std::size_t pdu = modbus::expected_response_pdu_length(request);
            awaited += (pdu ? pdu : modbus::max_pdu_size) + modbus::mbap_header_size;
        };
        for (const auto& f : in_flight_) await(f.pending.request);
        for (const auto& p : queue_) await(p.request);  // about to be sent (a fresh connection)
        std::size_t want = std::max(rx_len_ + modbus::mbap_header_size, std::min(awaited, awaited_limit));
        // A frame under way starts the buffer; its length field says how long it is.
        if (rx_len_ >= modbus::mbap_header_size - 1) {
            want = std::max(want, std::min(largest_adu, modbus::mbap_header_size - 1 +
                                                            modbus::get_u16(std::span(rx_.data(), rx_len_), 4)));
        }
        if (rx_.size() < want) rx_.resize(want);
    }

    void start_read(std::uint64_t gen) {
        make_room();
        socket_.async_read_some(
            asio::buffer(rx_.data() + rx_len_, rx_.size() - rx_len_),
            [self = shared_from_this(), gen](const boost::system::error_code& ec, std::size_t n) {
                if (gen != self->generation_) return;
                if (ec) {
                    return self->connection_lost(ec == asio::error::eof
                                                     ? modbus::make_error_code(Errc::connection_closed)
                                                     : std::error_code(ec));
                }
                self->rx_len_ += n;
                if (self->drain_frames()) self->start_read(gen);
            });
    }

    // Parses every complete frame in the receive buffer; false when the stream is bad
    // and the connection was dropped.
    bool drain_frames() {
        std::size_t offset = 0;
        const auto gen = generation_;
        while (true) {
            auto r = modbus::parse_mbap(std::span<const std::uint8_t>(rx_.data() + offset,
                                                                      rx_len_ - offset));
            if (r.status == modbus::ParseResult::Status::need_more) break;
            if (r.status == modbus::ParseResult::Status::error) {
                connection_lost(r.error);
                return false;
            }
            if (trace_) {
                trace_(false, modbus::Framing::mbap,
                       std::span<const std::uint8_t>(rx_.data() + offset, r.consumed));
            }
            offset += r.consumed;
            dispatch(std::move(r.adu));
            if (gen != generation_) return false;  // a handler closed the link
        }
        if (offset > 0) {
            std::memmove(rx_.data(), rx_.data() + offset, rx_len_ - offset);
            rx_len_ -= offset;
        }
        return true;
    }

    void dispatch(modbus::Adu adu) {
        auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                               [&](const InFlight& f) { return f.transaction == adu.transaction; });
        if (it == in_flight_.end()) {
            ++stats_.stray_frames;  // late answer to a request that already timed out
            return;
        }
        InFlight done = std::move(*it);
        in_flight_.erase(it);
        std::error_code ec = adu.unit == done.pending.unit
                                 ? modbus::check_response(done.pending.request, adu.pdu)
                                 : modbus::make_error_code(Errc::unit_mismatch);
        if (ec) {
            ++stats_.errors;
        } else {
            ++stats_.responses;
        }
        next_send_ = Clock::now() + options_.pause_between_requests;
        done.pending.handler(ec, std::move(adu.pdu));
        pump();
        // Idle: stop the timer so a run() loop can return; busy: it keeps running.
        if (in_flight_.empty() && timeout_armed_) {
            timeout_armed_ = false;
            timer_.cancel();
        }
    }

    void on_timeout(std::uint16_t tid) {
        auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                               [&](const InFlight& f) { return f.transaction == tid; });
        if (it == in_flight_.end()) return;
        InFlight done = std::move(*it);
        in_flight_.erase(it);
        ++stats_.timeouts;
        ++stats_.errors;
        next_send_ = Clock::now() + options_.pause_between_requests;
        done.pending.handler(modbus::make_error_code(Errc::timeout), {});
        pump();
    }

    void connection_lost(std::error_code ec) {
        drop_connection(ec);
        pump();  // reconnects if work is waiting
    }

    // Closes the socket and fails what was sent on it; queued requests stay queued.
    void drop_connection(std::error_code ec) {
        ++generation_;
        boost::system::error_code ignored;
        socket_.close(ignored);
        resolver_.cancel();
        if (pause_timer_) pause_timer_->cancel();
        pause_armed_ = false;
        timer_.cancel();
        timeout_armed_ = false;
        state_ = State::disconnected;
        rx_len_ = 0;
        writing_ = false;
        tx_next_.clear();
        std::vector<InFlight> failed;
        failed.swap(in_flight_);
        for (auto& f : failed) {
            ++stats_.errors;
            f.pending.handler(ec, {});
        }
    }

    void fail_queue(std::error_code ec) {
        std::vector<Pending> failed;
        failed.swap(queue_);
        for (auto& p : failed) {
            ++stats_.errors;
            p.handler(ec, {});
        }
    }

    asio::io_context& io_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    // The connect's deadline, then the earliest deadline of the requests in flight (112 bytes
    // a timer, 1,000 links).
    asio::steady_timer timer_;
    std::unique_ptr<asio::steady_timer> pause_timer_;
    bool timeout_armed_ = false;
    Clock::time_point timeout_at_{};
    Uri uri_;
    TcpOptions options_;
    Backoff backoff_;
    State state_ = State::disconnected;
    std::uint64_t generation_ = 0;  // bumped per connection; stale callbacks compare it
    bool closed_ = false;
    bool pump_posted_ = false;
    bool pause_armed_ = false;
    bool writing_ = false;
    bool connect_timed_out_ = false;
    std::error_code last_connect_error_;
    Clock::time_point next_send_{};
    std::uint16_t next_transaction_ = 1;
    // Vectors, not deques: these hold a request or two, and an empty deque costs ~600 bytes
    // (1,000 devices, 1,000 links).
    std::vector<Pending> queue_;
    std::vector<InFlight> in_flight_;
    std::vector<std::uint8_t> tx_out_;   // the frames of the write in progress
    std::vector<std::uint8_t> tx_next_;  // frames sent while it is: the next write
    // Sized by make_room() to what this device answers: 1,000 devices are 1,000 of these.
    std::vector<std::uint8_t> rx_;
    std::size_t rx_len_ = 0;
};

}  // namespace

std::shared_ptr<Link> make_tcp_link(boost::asio::io_context& io, const Uri& uri,
                                    const TcpOptions& options) {
    return std::make_shared<TcpLink>(io, uri, options);
}

}  // namespace regpoll::transport
