#include "sim/shine_stick.hpp"

#include <array>
#include <set>

#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "shine/commands.hpp"
#include "shine/record_stream.hpp"
#include "shine/settings.hpp"

namespace regpoll::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

std::vector<StickBlock> stick_blocks(const std::vector<profile::Point>& points,
                                     modbus::RegisterKind kind, std::uint16_t block_size) {
    std::set<std::uint32_t> starts;
    for (const auto& p : points) {
        if (p.kind != kind) continue;
        const std::uint32_t last = p.address + static_cast<std::uint32_t>(p.width()) - 1;
        for (std::uint32_t a = p.address / block_size; a <= last / block_size; ++a)
            starts.insert(a * block_size);
    }
    std::vector<StickBlock> out;
    for (auto s : starts) {
        const auto count = static_cast<std::uint16_t>(std::min<std::uint32_t>(block_size, 65536 - s));
        out.push_back({static_cast<std::uint16_t>(s), count});
    }
    return out;
}

namespace {

// A record waiting for its ack. Live records still waiting when the connection goes are
// sent as buffered ones later: their time is kept, only the type changes.
struct Pending {
    shine::DataRecord record;
    std::uint8_t type = 0;
    std::uint16_t transaction = 0;  // 0: not sent yet
};

// The logger's clock: simulated time in its zone, off by `skew` (set by the server's 0x18).
shine::RecordTime local_time(SimTime t, const LocalZone& zone, std::chrono::seconds skew) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()) +
                      zone.utc_offset + skew;
    return shine::clock_from_seconds(secs.count());
}

constexpr std::uint8_t announce_type = static_cast<std::uint8_t>(shine::RecordType::announce);
constexpr std::uint8_t live_type = static_cast<std::uint8_t>(shine::RecordType::live_data);
constexpr std::uint8_t buffered_type = static_cast<std::uint8_t>(shine::RecordType::buffered_data);
constexpr std::uint8_t ping_type = static_cast<std::uint8_t>(shine::RecordType::ping);

}  // namespace

struct ShineStick::State : std::enable_shared_from_this<ShineStick::State> {
    State(asio::io_context& io, ShineStickSpec s, server::UnitTables& t,
          std::function<void(SimTime)> r, std::function<SimTime()> c, LocalZone z)
        : spec(std::move(s)), tables(t), refresh(std::move(r)), clock(std::move(c)), zone(z),
          socket(io), resolver(io), upload(io), ack(io), redial(io),
          skew(std::chrono::duration_cast<std::chrono::seconds>(spec.clock_skew)) {}

    ShineStickSpec spec;
    server::UnitTables& tables;
    std::function<void(SimTime)> refresh;
    std::function<SimTime()> clock;
    LocalZone zone;
    tcp::socket socket;
    tcp::resolver resolver;
    asio::steady_timer upload, ack, redial;
    bool connected = false;
    bool uploading = false;          // the first record was taken: the interval timer runs
    bool stopped = false;
    bool in_flight = false;          // the front of `queue` was sent and waits for its ack
    std::deque<Pending> queue;       // the announce (when due), then data records, oldest first
    std::uint16_t next_transaction = 1;
    shine::RecordStream incoming;
    std::array<std::uint8_t, 2048> read_buffer{};
    ShineStickStats stats;
    std::chrono::seconds skew;  // the logger clock's error, until the server sets it

    std::string where() const {
        return "sim shine " + spec.datalogger + " -> " + spec.host + ":" + std::to_string(spec.port);
    }

    shine::DataRecord snapshot(modbus::RegisterKind kind, const std::vector<StickBlock>& blocks,
                               SimTime t) const {
        shine::DataRecord r;
        r.datalogger = spec.datalogger;
        r.inverter = spec.inverter;
        r.time = local_time(t, zone, skew);
        for (const auto& b : blocks) {
            auto values = tables.registers(kind, b.first, b.count);
            r.blocks.push_back({b.first, values ? std::move(*values)
                                                : std::vector<std::uint16_t>(b.count, 0)});
        }
        return r;
    }

    std::vector<std::uint8_t> frame(std::uint8_t type, const std::vector<std::uint8_t>& body,
                                    std::uint16_t transaction) const {
        return shine::encode_frame(transaction, spec.protocol, spec.unit, type, body);
    }

    void send(std::vector<std::uint8_t> bytes) {
        auto buf = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
        asio::async_write(socket, asio::buffer(*buf),
                          [self = shared_from_this(), buf](const boost::system::error_code& ec,
                                                           std::size_t) {
                              if (ec) self->lost("send: " + ec.message());
                          });
    }

    // Every upload interval: a live record, or a buffered one while the server is away.
    void take_record() {
        uploading = true;
        const SimTime t = clock();
        refresh(t);
        Pending p{snapshot(modbus::RegisterKind::input, spec.input_blocks, t),
                  connected ? live_type : buffered_type, 0};
        if (!connected) ++stats.buffered;
        queue.push_back(std::move(p));
        while (queue.size() > spec.max_buffered) {
            queue.pop_front();
            in_flight = false;
            ++stats.discarded;
        }
        send_next();
        arm_upload();
    }

    void arm_upload() {
        upload.expires_after(spec.upload_interval);
        upload.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && !self->stopped) self->take_record();
        });
    }

    // One record in flight at a time: the next one goes when this one is acked.
    void send_next() {
        if (!connected || in_flight || queue.empty()) return;
        auto& p = queue.front();
        if (p.transaction == 0) p.transaction = next_transaction++;
        send(frame(p.type, shine::encode_data_body(p.record, spec.protocol), p.transaction));
        ++stats.sent;
        in_flight = true;
        arm_ack_timeout();
    }

    void arm_ack_timeout() {
        ack.expires_after(spec.ack_timeout);
        ack.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->stopped || !self->in_flight || !self->connected) return;
            // No ack: the same record again, same transaction.
            spdlog::debug("{}: no ack for transaction {}; sending it again", self->where(),
                          self->queue.front().transaction);
            ++self->stats.resent;
            self->in_flight = false;
            self->send_next();
        });
    }

    void on_frame(const shine::Frame& f) {
        if (f.type == ping_type) return;  // the echo of our ping
        if (shine::is_command_type(f.type)) return answer(f);
        if (!in_flight || queue.empty()) return;
        const auto& p = queue.front();
        if (f.transaction != p.transaction || f.type != p.type) return;
        ++stats.acked;
        queue.pop_front();
        in_flight = false;
        ack.cancel();
        send_next();
    }

    // A command from the server: settings (0x19 read, 0x18 write) and the inverter's holding
    // registers (0x05 read, 0x06/0x10 write; what is written stays, so the next 0x05 and
    // announce show it).
    void answer(const shine::Frame& f) {
        auto c = shine::parse_command(f);
        if (!c) return spdlog::warn("{}: command not understood: {}", where(), c.error());
        const auto to = shine::answer_target(f, spec.datalogger);
        const bool to_inverter = f.type == 0x05 || f.type == 0x06 || f.type == 0x10;
        if (to_inverter && f.unit != spec.unit) {
            spdlog::warn("{}: command 0x{:02x} for unit 0x{:02x}, but the inverter is unit 0x{:02x}; "
                         "refused", where(), f.type, f.unit, spec.unit);
            if (f.type == 0x05) return send(shine::build_register_read_answer(to, c->first, c->last, {}));
            if (f.type == 0x06) return send(shine::build_register_write_answer(to, c->first, 0x01, 0));
            return send(shine::build_registers_write_answer(to, c->first, c->last, 0x01));
        }
        switch (f.type) {
            case 0x19:
                for (std::uint32_t item = c->first; item <= c->last; ++item) {
                    if (auto value = setting(static_cast<std::uint16_t>(item)))
                        send(shine::build_config_answer(to, static_cast<std::uint16_t>(item), *value));
                }
                return;
            case 0x18:
                return send(shine::build_config_write_answer(to, c->first, change_setting(c->first, c->text)));
            case 0x05: {
                const auto count = static_cast<std::uint16_t>(c->last - c->first + 1);
                auto values = tables.registers(modbus::RegisterKind::holding, c->first, count);
                spdlog::info("{}: 0x05 read holding {}-{}: {}", where(), c->first, c->last,
                             values ? "answered" : "not mapped, answered without values");
                return send(shine::build_register_read_answer(
                    to, c->first, c->last, values ? *values : std::vector<std::uint16_t>{}));
            }
            default: {  // 0x06, 0x10
                const auto ec = tables.write_registers(modbus::RegisterKind::holding, c->first, c->values);
                std::string shown;
                for (auto v : c->values) shown += (shown.empty() ? "" : " ") + std::to_string(v);
                spdlog::info("{}: 0x{:02x} write holding {} = {}: {}", where(), f.type, c->first, shown,
                             ec ? "refused (" + ec.message() + ")" : std::string("taken"));
                const std::uint8_t result = ec ? 0x01 : 0x00;
                if (f.type == 0x10) return send(shine::build_registers_write_answer(to, c->first, c->last, result));
                auto now = tables.registers(modbus::RegisterKind::holding, c->first, 1);
                return send(shine::build_register_write_answer(to, c->first, result, now ? now->front() : 0));
            }
        }
    }

    std::optional<std::string> setting(std::uint16_t item) const {
        switch (item) {
            case shine::item_upload_interval: return shine::minutes_text(spec.upload_interval);
            case 8: return spec.datalogger;
            case shine::item_clock: return shine::clock_text(local_time(clock(), zone, skew));
            default: return std::nullopt;
        }
    }

    // 0x00 taken, 0x03 refused.
    std::uint8_t change_setting(std::uint16_t item, const std::string& text) {
        if (item == shine::item_upload_interval) {
            auto interval = shine::parse_minutes_text(text);
            if (!interval) return refuse_setting(item, text);
            spec.upload_interval = *interval;
            if (uploading) arm_upload();
        } else if (item == shine::item_clock) {
            auto t = shine::parse_clock_text(text);
            if (!t) return refuse_setting(item, text);
            const auto now = local_time(clock(), zone, std::chrono::seconds(0));
            skew = std::chrono::seconds(shine::clock_seconds(*t) - shine::clock_seconds(now));
        } else {
            return refuse_setting(item, text);
        }
        spdlog::info("{}: setting {} set to \"{}\"", where(), item, text);
        return 0x00;
    }

    std::uint8_t refuse_setting(std::uint16_t item, const std::string& text) const {
        spdlog::warn("{}: setting {} = \"{}\" refused", where(), item, text);
        return 0x03;
    }

    void read() {
        socket.async_read_some(
            asio::buffer(read_buffer),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    self->lost(ec == asio::error::eof ? "the server closed the connection"
                                                      : ec.message());
                    return;
                }
                self->incoming.append(std::span(self->read_buffer.data(), n));
                for (auto r = self->incoming.next(); r.status != shine::CutResult::Status::need_more;
                     r = self->incoming.next()) {
                    if (r.status == shine::CutResult::Status::frame) self->on_frame(r.frame);
                }
                self->read();
            });
    }

    void dial() {
        if (stopped) return;
        resolver.async_resolve(
            spec.host, std::to_string(spec.port),
            [self = shared_from_this()](const boost::system::error_code& ec,
                                        tcp::resolver::results_type results) {
                if (ec) return self->retry("resolve: " + ec.message());
                asio::async_connect(self->socket, results,
                                    [self](const boost::system::error_code& cec, const tcp::endpoint&) {
                                        if (cec) return self->retry(cec.message());
                                        self->on_connected();
                                    });
            });
    }

    void on_connected() {
        connected = true;
        ++stats.connects;
        incoming = shine::RecordStream{};
        spdlog::info("{}: connected; {} buffered records to send", where(), queue.size());
        // Ping, then the announce ahead of what waits (a stick announces at every connect).
        std::vector<std::uint8_t> serial(spec.datalogger.begin(), spec.datalogger.end());
        serial.resize(shine::serial_field_size(spec.protocol), 0);
        send(frame(ping_type, serial, next_transaction++));
        auto announce = snapshot(modbus::RegisterKind::holding, spec.holding_blocks, clock());
        if (!spec.holding_blocks.empty())
            queue.push_front(Pending{std::move(announce), announce_type, 0});
        read();
        send_next();
        if (!uploading) {
            // The first record right after the first connect.
            upload.cancel();
            take_record();
        }
    }

    // The connection is gone: what waits (and was sent, unacked) goes later as buffered.
    void lost(const std::string& why) {
        if (!connected) return;
        connected = false;
        in_flight = false;
        ack.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        std::erase_if(queue, [](const Pending& p) { return p.type == announce_type; });
        for (auto& p : queue) {
            if (p.type == live_type) {
                p.type = buffered_type;
                p.transaction = 0;
                ++stats.buffered;
            }
        }
        spdlog::warn("{}: {}; keeping records and redialling", where(), why);
        retry("");
    }

    void retry(const std::string& why) {
        if (stopped) return;
        if (!why.empty()) spdlog::debug("{}: {}", where(), why);
        boost::system::error_code ignored;
        socket.close(ignored);
        redial.expires_after(spec.redial);
        redial.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->dial();
        });
    }
};

ShineStick::ShineStick(asio::io_context& io, ShineStickSpec spec, server::UnitTables& tables,
                       std::function<void(SimTime)> refresh, std::function<SimTime()> clock,
                       LocalZone zone)
    : state_(std::make_shared<State>(io, std::move(spec), tables, std::move(refresh),
                                     std::move(clock), zone)) {}

ShineStick::~ShineStick() { stop(); }

void ShineStick::start() {
    state_->dial();
    // No server at start: the first record is taken (and kept) after one redial period.
    state_->upload.expires_after(state_->spec.redial);
    state_->upload.async_wait([state = state_](const boost::system::error_code& ec) {
        if (!ec && !state->stopped && !state->uploading) state->take_record();
    });
}

void ShineStick::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    state_->connected = false;
    state_->upload.cancel();
    state_->ack.cancel();
    state_->redial.cancel();
    state_->resolver.cancel();
    boost::system::error_code ignored;
    state_->socket.close(ignored);
}

ShineStickStats ShineStick::stats() const { return state_->stats; }

}  // namespace regpoll::sim
