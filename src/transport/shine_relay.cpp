#include "transport/shine_relay.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "shine/record_stream.hpp"
#include "shine/records.hpp"
#include "transport/backoff.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

// Stick records waiting for the cloud while it is dialled, and cloud-bound records the cloud
// has not read yet: past this, new ones are not queued for it (logged once).
constexpr std::size_t max_queued = 256;
// Answers regpoll gave itself after the cloud was slow; the cloud's late answer to one of
// these is dropped, or the stick would see two.
constexpr std::size_t max_remembered = 64;

// A stick record's answer is recognised by transaction and type (acks and echoes repeat both).
struct Key {
    std::uint16_t transaction = 0;
    std::uint8_t type = 0;
    friend bool operator==(const Key&, const Key&) = default;
};
Key key_of(const shine::Frame& f) {
    return {f.transaction, f.type};
}

struct Held {
    Key key;
    Bytes answer;
    Clock::time_point deadline;
};

std::string seconds_text(std::chrono::milliseconds d) {
    char text[32];
    std::snprintf(text, sizeof text, "%g s", static_cast<double>(d.count()) / 1000.0);
    return text;
}

class Relay final : public ShineRelay, public std::enable_shared_from_this<Relay> {
  public:
    Relay(const asio::any_io_executor& ex, ShineRelayOptions o, SendFn to_stick, LogFn log)
        : options_(std::move(o)),
          to_stick_(std::move(to_stick)),
          log_(std::move(log)),
          socket_(ex),
          resolver_(ex),
          redial_(ex),
          held_timer_(ex),
          backoff_(options_.backoff_initial, options_.backoff_max),
          target_(options_.host + ":" + std::to_string(options_.port)) {}

    void dial() {
        if (closed_) return;
        state_ = State::dialing;
        redial_.expires_after(options_.connect_timeout);
        redial_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->state_ != State::dialing) return;
            self->resolver_.cancel();
            boost::system::error_code ignored;
            self->socket_.close(ignored);  // the connect ends with operation_aborted
        });
        resolver_.async_resolve(options_.host, std::to_string(options_.port),
                                [self = shared_from_this()](const boost::system::error_code& ec,
                                                            tcp::resolver::results_type results) {
                                    if (self->closed_) return;
                                    if (ec) return self->lost(self->why(ec, "resolve"));
                                    self->connect(results);
                                });
    }

    void from_stick(const shine::Frame& record) override {
        if (state_ == State::down || closed_) return;
        to_cloud(record.raw);
    }

    bool hold_answer(const shine::Frame& record, Bytes answer) override {
        if (state_ == State::down || closed_) return false;
        if (slow_) {  // answer now; drop the cloud's if it comes after all
            remember(key_of(record));
            return false;
        }
        held_.push_back({key_of(record), std::move(answer), Clock::now() + options_.ack_timeout});
        if (held_.size() == 1) arm_held_timer();
        return true;
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        redial_.cancel();
        held_timer_.cancel();
        resolver_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
        cloud_tx_.clear();
        held_.clear();
    }

  private:
    enum class State { dialing, up, down };

    void log(LogLevel level, const std::string& text) const {
        if (log_) log_(level, "relay to " + target_ + ": " + text);
    }

    std::string why(const boost::system::error_code& ec, const char* step) const {
        if (ec == asio::error::operation_aborted)
            return std::string(step) + " timed out after " + seconds_text(options_.connect_timeout);
        return std::string(step) + ": " + ec.message();
    }

    void connect(const tcp::resolver::results_type& results) {
        asio::async_connect(
            socket_, results,
            [self = shared_from_this()](const boost::system::error_code& ec, const tcp::endpoint&) {
                if (self->closed_) return;
                if (ec) return self->lost(self->why(ec, "connect"));
                self->on_connected();
            });
    }

    void on_connected() {
        redial_.cancel();
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        state_ = State::up;
        ++generation_;
        slow_ = false;
        backoff_.succeeded();
        cloud_rx_ = shine::RecordStream{};
        log(LogLevel::info, ever_up_ ? "connected again; the cloud answers the datalogger"
                                     : "connected; the cloud answers the datalogger, regpoll "
                                       "only when it does not");
        ever_up_ = true;
        reported_down_ = false;
        read();
        if (!cloud_tx_.empty()) write_next();
    }

    // The cloud is away: regpoll answers what waited, and the stick from now on, until a
    // redial succeeds. Logged once per outage.
    void lost(const std::string& reason) {
        if (closed_) return;
        const bool was_up = state_ == State::up;
        state_ = State::down;
        boost::system::error_code ignored;
        socket_.close(ignored);
        redial_.cancel();
        cloud_tx_.clear();
        release_all();
        backoff_.failed(Clock::now());
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            backoff_.next_attempt() - Clock::now());
        if (!reported_down_) {
            reported_down_ = true;
            log(LogLevel::warning,
                std::string(was_up ? "lost (" : "not reachable (") + reason +
                    "); regpoll answers the datalogger itself and redials with back-off (up to " +
                    seconds_text(options_.backoff_max) +
                    "); records sent meanwhile do not reach the cloud");
        } else {
            log(LogLevel::debug,
                "still not reachable (" + reason + "); next try in " + seconds_text(wait));
        }
        redial_.expires_after(std::max(wait, std::chrono::milliseconds(0)));
        redial_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && !self->closed_) self->dial();
        });
    }

    void to_cloud(const Bytes& bytes) {
        if (cloud_tx_.size() >= max_queued) {
            if (++overflowed_ == 1)
                log(LogLevel::warning,
                    "the cloud does not take records fast enough; some do not reach it");
            return;
        }
        cloud_tx_.push_back(std::make_shared<const Bytes>(bytes));
        if (state_ == State::up && cloud_tx_.size() == 1) write_next();
    }

    // Handlers of an earlier cloud connection find another generation and do nothing.
    bool current(std::uint64_t generation) const {
        return !closed_ && state_ == State::up && generation == generation_;
    }

    void write_next() {
        auto bytes = cloud_tx_.front();
        asio::async_write(socket_, asio::buffer(*bytes),
                          [self = shared_from_this(), bytes, g = generation_](
                              const boost::system::error_code& ec, std::size_t) {
                              if (!self->current(g)) return;
                              if (ec) return self->lost("send: " + ec.message());
                              self->cloud_tx_.pop_front();
                              if (!self->cloud_tx_.empty()) self->write_next();
                          });
    }

    void read() {
        socket_.async_read_some(
            asio::buffer(rx_), [self = shared_from_this(), g = generation_](
                                   const boost::system::error_code& ec, std::size_t n) {
                if (!self->current(g)) return;
                if (ec) {
                    return self->lost(ec == asio::error::eof ? "the cloud closed the connection"
                                                             : ec.message());
                }
                self->cloud_rx_.append(std::span(self->rx_).first(n));
                self->drain();
                if (self->current(g)) self->read();
            });
    }

    void drain() {
        for (auto r = cloud_rx_.next(); r.status != shine::CutResult::Status::need_more;
             r = cloud_rx_.next()) {
            if (r.status == shine::CutResult::Status::dropped) {
                log(LogLevel::warning,
                    "dropped " + std::to_string(r.consumed) +
                        " bytes from the cloud: " + std::string(shine::describe(r.error)));
                continue;
            }
            from_cloud(r.frame);
        }
    }

    void from_cloud(const shine::Frame& f) {
        const Key key = key_of(f);
        if (auto it = std::find_if(held_.begin(), held_.end(),
                                   [&](const Held& h) { return h.key == key; });
            it != held_.end()) {
            held_.erase(it);  // the cloud's answer goes instead of regpoll's
            return to_stick_(f.raw);
        }
        if (auto it = std::find(remembered_.begin(), remembered_.end(), key);
            it != remembered_.end()) {
            remembered_.erase(it);
            if (slow_) {
                slow_ = false;
                log(LogLevel::info, "the cloud answers again; its answers go to the datalogger");
            }
            return;  // regpoll answered this one already
        }
        const auto verdict = shine::relay_verdict(f, options_.commands);
        if (!verdict.pass) {
            log(LogLevel::info, "dropped the cloud's " + verdict.what +
                                    " (\"relay_commands\": \"block\"; \"allow\" passes it)");
            return;
        }
        to_stick_(f.raw);
    }

    void arm_held_timer() {
        held_timer_.expires_at(held_.front().deadline);
        held_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && !self->closed_) self->release_due();
        });
    }

    // Answers whose time ran out go from regpoll; from then on regpoll answers at once until
    // the cloud answers something again.
    void release_due() {
        const auto now = Clock::now();
        while (!held_.empty() && held_.front().deadline <= now) {
            if (!slow_) {
                slow_ = true;
                log(LogLevel::warning, "the cloud did not answer a record within " +
                                           seconds_text(options_.ack_timeout) +
                                           "; regpoll answers the datalogger itself until it does");
            }
            remember(held_.front().key);
            to_stick_(std::move(held_.front().answer));
            held_.pop_front();
        }
        if (!held_.empty()) arm_held_timer();
    }

    void release_all() {
        held_timer_.cancel();
        while (!held_.empty()) {
            to_stick_(std::move(held_.front().answer));
            held_.pop_front();
        }
    }

    void remember(Key key) {
        remembered_.push_back(key);
        if (remembered_.size() > max_remembered) remembered_.pop_front();
    }

    ShineRelayOptions options_;
    SendFn to_stick_;
    LogFn log_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    asio::steady_timer redial_;      // connect timeout while dialing, back-off while down
    asio::steady_timer held_timer_;  // the earliest held answer's deadline
    Backoff backoff_;
    std::string target_;
    State state_ = State::dialing;
    bool closed_ = false;
    bool slow_ = false;  // the cloud let a record go unanswered
    bool ever_up_ = false;
    bool reported_down_ = false;  // this outage was logged
    std::uint64_t overflowed_ = 0;
    std::uint64_t generation_ = 0;  // counts cloud connections
    std::deque<std::shared_ptr<const Bytes>> cloud_tx_;
    std::deque<Held> held_;  // deadlines in order: each is now + the same timeout
    std::deque<Key> remembered_;
    shine::RecordStream cloud_rx_;
    std::array<std::uint8_t, 4096> rx_{};
};

}  // namespace

std::shared_ptr<ShineRelay> start_shine_relay(const asio::any_io_executor& executor,
                                              ShineRelayOptions options,
                                              ShineRelay::SendFn to_stick, LogFn log) {
    auto relay =
        std::make_shared<Relay>(executor, std::move(options), std::move(to_stick), std::move(log));
    relay->dial();
    return relay;
}

}  // namespace regpoll::transport
