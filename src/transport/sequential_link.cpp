#include "transport/sequential_link.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "modbus/error.hpp"
#include "transport/backoff.hpp"
#include "transport/response_assembler.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using modbus::Errc;
using TimePoint = Clock::time_point;

// A line that never falls quiet (a second master, a babbling device) delays a request by
// at most this much; then it is sent anyway rather than blocking the bus for good.
constexpr auto longest_wait_for_quiet = std::chrono::seconds(2);

struct Pending {
    std::uint8_t unit;
    modbus::Pdu request;
    Milliseconds timeout;
    Handler handler;
};

struct Active {
    Pending pending;
    ResponseAssembler assembler;
    bool broadcast = false;
    bool done = false;  // the response is complete; only the write handler is awaited
    std::error_code early_error;
    modbus::Pdu early_pdu;
};

class SequentialLink final : public Link, public std::enable_shared_from_this<SequentialLink> {
public:
    SequentialLink(asio::io_context& io, std::unique_ptr<Connector> connector,
                   SequentialConfig config)
        : io_(io),
          connector_(std::move(connector)),
          cfg_(std::move(config)),
          send_timer_(io),
          response_timer_(io),
          gap_timer_(io),
          backoff_(cfg_.reconnect_initial, cfg_.reconnect_cap) {}

    void async_transact(std::uint8_t unit, modbus::Pdu request, Milliseconds timeout,
                        Handler handler) override {
        ++stats_.requests;
        if (closed_) {
            ++stats_.errors;
            asio::post(io_, [h = std::move(handler)] {
                h(modbus::make_error_code(Errc::cancelled), {});
            });
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
        if (closed_) return;
        closed_ = true;
        connector_->close();
        drop_connection();
        const auto ec = modbus::make_error_code(Errc::cancelled);
        if (active_) {
            Handler h = std::move(active_->pending.handler);
            active_.reset();
            ++stats_.errors;
            h(ec, {});
        }
        fail_queue(ec);
    }

    std::string describe() const override { return cfg_.name; }

private:
    enum class State { idle, opening, waiting, sending, awaiting, turnaround };

    void log(LogLevel level, const std::string& text) const {
        if (cfg_.log) cfg_.log(level, cfg_.name + ": " + text);
    }
    Nanoseconds wire(std::size_t characters) const { return cfg_.timing.character * characters; }

    void pump() {
        if (closed_ || state_ != State::idle || queue_.empty()) return;
        if (!conn_) return open();
        state_ = State::waiting;
        waiting_since_ = Clock::now();
        check_line();
    }

    // --- opening the medium ---------------------------------------------------------------
    void open() {
        if (connector_->backs_off() && !backoff_.may_attempt(Clock::now())) {
            return fail_queue(last_open_error_);
        }
        state_ = State::opening;
        ++stats_.connects;
        connector_->async_open(cfg_.open_timeout, [self = shared_from_this()](
                                                      std::error_code ec,
                                                      std::shared_ptr<Connection> c) {
            self->on_open(ec, std::move(c));
        });
    }

    void on_open(std::error_code ec, std::shared_ptr<Connection> c) {
        if (closed_) {
            if (c) c->close();
            return;
        }
        state_ = State::idle;
        if (ec) {
            if (connector_->backs_off()) backoff_.failed(Clock::now());
            last_open_error_ = ec;
            log(LogLevel::info, "cannot open: " + ec.message());
            return fail_queue(ec);
        }
        conn_ = std::move(c);
        ++generation_;
        had_traffic_ = false;
        last_rx_ = Clock::now();  // the line state is unknown: one quiet interval first
        quiet_needed_ = cfg_.timing.silence;
        log(LogLevel::info, "opened " + conn_->peer());
        start_read();
        pump();
    }

    void drop_connection() {
        ++generation_;  // stale handlers of the old connection compare this
        if (conn_) conn_->close();
        conn_.reset();
        send_timer_.cancel();
        response_timer_.cancel();
        gap_timer_.cancel();
        state_ = State::idle;
    }

    void connection_lost(std::error_code ec) {
        // Our own closes bump the generation first, so a cancelled operation here means the
        // connection was taken away underneath (a listener replaced it with a newer one).
        if (ec == std::errc::operation_canceled) ec = modbus::make_error_code(Errc::connection_closed);
        log(LogLevel::info, "lost " + (conn_ ? conn_->peer() : std::string("connection")) + ": " +
                                ec.message());
        drop_connection();
        // A medium that fails before anything was even sent on it (a pty whose other end
        // is gone) must not be reopened in a tight loop: count that as a failed open. A
        // loss during a request fails that request instead, so it cannot loop.
        if (!had_traffic_ && !active_ && connector_->backs_off()) {
            backoff_.failed(Clock::now());
            last_open_error_ = ec;
        }
        if (active_) return finish(ec, {});
        pump();
    }

    // --- waiting for a quiet line, then sending -------------------------------------------
    void check_line() {
        const auto now = Clock::now();
        const TimePoint earliest = std::max({last_rx_ + quiet_needed_,
                                             tx_end_ + cfg_.timing.silence, not_before_});
        if (now >= earliest || now - waiting_since_ >= longest_wait_for_quiet) return send_next();
        send_timer_.expires_at(earliest);
        send_timer_.async_wait([self = shared_from_this(), gen = generation_](
                                   const boost::system::error_code& ec) {
            if (ec || gen != self->generation_ || self->state_ != State::waiting) return;
            self->check_line();
        });
    }

    void send_next() {
        Pending p = std::move(queue_.front());
        queue_.pop_front();
        const bool broadcast = cfg_.broadcast && p.unit == 0;
        if (broadcast && !is_broadcastable(p.request)) {
            state_ = State::idle;
            ++stats_.errors;
            p.handler(modbus::make_error_code(Errc::invalid_request), {});
            return pump();
        }
        SentRequest sent{cfg_.framing, p.unit, p.request, next_transaction_++, cfg_.echo};
        active_.emplace(Active{std::move(p), ResponseAssembler(std::move(sent)), broadcast, false, {}, {}});
        ++sequence_;
        quiet_needed_ = cfg_.timing.silence;
        in_stray_burst_ = false;
        tx_frame_ = active_->assembler.request_frame();
        if (trace_) trace_(true, cfg_.framing, tx_frame_);
        state_ = State::sending;
        write_started_ = Clock::now();
        conn_->async_write(tx_frame_, [self = shared_from_this(), gen = generation_](
                                          std::error_code ec, std::size_t) {
            if (gen != self->generation_) return;
            if (ec) return self->connection_lost(ec);
            self->on_written();
        });
    }

    void on_written() {
        tx_end_ = std::max(Clock::now(), write_started_ + wire(tx_frame_.size()));
        if (!active_) return;
        if (active_->broadcast) {
            state_ = State::turnaround;
            not_before_ = tx_end_ + cfg_.turnaround;
            return arm(send_timer_, not_before_, [](SequentialLink& self) {
                if (self.state_ == State::turnaround) self.finish({}, {});
            });
        }
        state_ = State::awaiting;
        if (active_->done) return finish(active_->early_error, std::move(active_->early_pdu));
        const Milliseconds timeout = active_->pending.timeout.count() > 0
                                         ? active_->pending.timeout
                                         : cfg_.default_timeout;
        const Nanoseconds response_wire = wire(active_->assembler.longest_response());
        arm(response_timer_, tx_end_ + timeout + response_wire, [](SequentialLink& self) {
            if (self.state_ == State::awaiting) {
                self.trace_partial();
                self.finish(modbus::make_error_code(Errc::timeout), {});
            }
        });
        if (active_->assembler.partial()) arm_gap_timer();
    }

    // Runs `action` when `timer` expires, unless the transaction or connection changed.
    template <class Action>
    void arm(asio::steady_timer& timer, TimePoint at, Action action) {
        timer.expires_at(at);
        timer.async_wait([self = shared_from_this(), gen = generation_, seq = sequence_,
                          action](const boost::system::error_code& ec) {
            if (ec || gen != self->generation_ || seq != self->sequence_ || !self->active_) return;
            action(*self);
        });
    }

    // --- receiving ----------------------------------------------------------------------
    void start_read() {
        conn_->async_read_some(rx_, [self = shared_from_this(), gen = generation_](
                                        std::error_code ec, std::size_t n) {
            if (gen != self->generation_) return;
            if (ec) return self->connection_lost(ec);
            self->on_read(std::span<const std::uint8_t>(self->rx_.data(), n));
            if (gen == self->generation_) self->start_read();
        });
    }

    void on_read(std::span<const std::uint8_t> chunk) {
        const auto now = Clock::now();
        const auto silence = now - last_rx_;
        last_rx_ = now;
        const bool expecting = active_ && !active_->done && !active_->broadcast &&
                               (state_ == State::sending || state_ == State::awaiting);
        if (!expecting) {
            // Between transactions, after a timeout or during a broadcast turnaround:
            // nothing here answers a request (a broadcast's echo is expected, though).
            if (state_ == State::turnaround && cfg_.echo) return;
            return discard(chunk);
        }
        const auto max_gap = cfg_.timing.max_gap;
        if (max_gap.count() > 0 && active_->assembler.partial() && silence > max_gap) {
            trace_partial();
            discard(chunk);
            return complete(modbus::make_error_code(Errc::malformed_frame), {});
        }
        auto progress = active_->assembler.feed(chunk);
        stats_.stray_frames += progress.strays;
        if (!progress.done) {
            if (active_->assembler.partial()) arm_gap_timer();
            return;
        }
        if (trace_ && !active_->assembler.received().empty()) {
            trace_(false, cfg_.framing, active_->assembler.received());
        }
        if (progress.trailing > 0) discard(chunk.last(progress.trailing));
        if (progress.error && !modbus::is_exception(progress.error)) hint_at_echo();
        complete(progress.error, std::move(progress.pdu));
    }

    // An answer that starts with our own request is an adapter's echo (echo=1 missing).
    void hint_at_echo() {
        const auto got = active_->assembler.received();
        const std::size_t n = std::min(got.size(), tx_frame_.size());
        if (cfg_.echo || echo_hinted_ || n < 3 || !std::equal(got.begin(), got.begin() + static_cast<long>(n),
                                                               tx_frame_.begin())) {
            return;
        }
        echo_hinted_ = true;
        log(LogLevel::warning, "the answer starts with the request itself: the adapter echoes "
                               "what it sends (add echo=1)");
    }

    // The start of a frame that never ended, for frame dumps.
    void trace_partial() {
        if (trace_ && !active_->assembler.received().empty()) {
            trace_(false, cfg_.framing, active_->assembler.received());
        }
    }

    void discard(std::span<const std::uint8_t> bytes) {
        if (!in_stray_burst_) ++stats_.stray_frames;  // one per burst of unexpected bytes
        in_stray_burst_ = true;
        if (trace_) trace_(false, cfg_.framing, bytes);
    }

    // A frame started but stopped: after `max_gap` of silence it can no longer be whole.
    void arm_gap_timer() {
        if (cfg_.timing.max_gap.count() == 0) return;
        arm(gap_timer_, last_rx_ + cfg_.timing.max_gap, [](SequentialLink& self) {
            if (self.active_->done || !self.active_->assembler.partial()) return;
            if (Clock::now() - self.last_rx_ < self.cfg_.timing.max_gap) return self.arm_gap_timer();
            self.trace_partial();
            self.complete(modbus::make_error_code(Errc::malformed_frame), {});
        });
    }

    // The response is decided; the handler runs once the request's write has completed.
    void complete(std::error_code ec, modbus::Pdu pdu) {
        if (state_ != State::sending) return finish(ec, std::move(pdu));
        active_->done = true;
        active_->early_error = ec;
        active_->early_pdu = std::move(pdu);
    }

    void finish(std::error_code ec, modbus::Pdu pdu) {
        response_timer_.cancel();
        gap_timer_.cancel();
        ++sequence_;
        if (ec == Errc::timeout) ++stats_.timeouts;
        if (ec) ++stats_.errors;
        else ++stats_.responses;
        if (!ec || modbus::is_exception(ec)) {
            had_traffic_ = true;
            backoff_.succeeded();
        } else {
            quiet_needed_ = std::max(cfg_.timing.resync, cfg_.timing.silence);
        }
        not_before_ = std::max(not_before_, Clock::now() + cfg_.pause);
        const bool stream_broken = cfg_.framing == modbus::Framing::mbap &&
                                   (ec == Errc::protocol_mismatch || ec == Errc::frame_too_long);
        Handler h = std::move(active_->pending.handler);
        active_.reset();
        state_ = State::idle;
        if (stream_broken && conn_) drop_connection();  // MBAP cannot resynchronise
        h(ec, std::move(pdu));
        pump();
    }

    void fail_queue(std::error_code ec) {
        std::deque<Pending> failed;
        failed.swap(queue_);
        for (auto& p : failed) {
            ++stats_.errors;
            p.handler(ec, {});
        }
    }

    asio::io_context& io_;
    std::unique_ptr<Connector> connector_;
    SequentialConfig cfg_;
    std::shared_ptr<Connection> conn_;
    asio::steady_timer send_timer_;      // quiet line, pause, turnaround
    asio::steady_timer response_timer_;  // response timeout
    asio::steady_timer gap_timer_;       // silence inside a frame
    Backoff backoff_;
    State state_ = State::idle;
    std::uint64_t generation_ = 0;  // bumped per connection; stale callbacks compare it
    std::uint64_t sequence_ = 0;    // bumped per transaction; stale timers compare it
    bool closed_ = false;
    bool pump_posted_ = false;
    bool had_traffic_ = false;
    bool in_stray_burst_ = false;
    bool echo_hinted_ = false;
    std::error_code last_open_error_;
    std::deque<Pending> queue_;
    std::optional<Active> active_;
    std::vector<std::uint8_t> tx_frame_;
    std::array<std::uint8_t, 1024> rx_{};
    std::uint16_t next_transaction_ = 1;
    Nanoseconds quiet_needed_{0};
    TimePoint last_rx_{};
    TimePoint tx_end_{};
    TimePoint not_before_{};
    TimePoint write_started_{};
    TimePoint waiting_since_{};
};

}  // namespace

std::shared_ptr<Link> make_sequential_link(boost::asio::io_context& io,
                                           std::unique_ptr<Connector> connector,
                                           SequentialConfig config) {
    return std::make_shared<SequentialLink>(io, std::move(connector), std::move(config));
}

}  // namespace regpoll::transport
