#include "poll/poller.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <tuple>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/duration.hpp"
#include "modbus/error.hpp"
#include "plan/block_planner.hpp"
#include "poll/held_registers.hpp"
#include "poll/keepalive_timer.hpp"
#include "poll/point_decoder.hpp"
#include "poll/point_writer.hpp"
#include "poll/pushed_record.hpp"
#include "poll/schedule.hpp"
#include "poll/shine_settings.hpp"
#include "transport/link_factory.hpp"
#include "transport/shine_listener.hpp"
#include "transport/shine_register_link.hpp"

namespace regpoll::poll {
namespace {

namespace asio = boost::asio;

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What a group reads and the requests that read it, made once for every device of one
// point list, interval and limits (a thousand devices of one model hold one plan, not a
// thousand copies of ~0.6 KB), and copied for a device whose layout changes (learn()).
struct GroupPlan {
    plan::PollGroup plan;
    std::vector<modbus::Pdu> requests;  // one per block
};

std::shared_ptr<const GroupPlan> make_group_plan(plan::PollGroup plan) {
    auto made = std::make_shared<GroupPlan>();
    for (const auto& b : plan.blocks) {
        made->requests.push_back(*modbus::make_read_request(modbus::read_function(b.kind), b.address, b.count));
    }
    made->plan = std::move(plan);
    return made;
}

struct GroupRuntime {
    std::shared_ptr<const GroupPlan> shared;
    const plan::PollGroup& plan() const { return shared->plan; }
    const std::vector<modbus::Pdu>& requests() const { return shared->requests; }
    bool busy = false;
    std::size_t pending = 0;
    std::vector<BlockData> data;
    std::vector<BlockData> finished;  // the last cycle's data while the next one runs
    std::vector<std::error_code> errors;
    TimePoint due{};
    SteadyClock::time_point sent{};  // when this cycle's requests were handed to the link
    unsigned relearned = 0;  // --once: cycles repeated after a block was split
    // Per block: cycles in a row in which it timed out while another block answered.
    std::vector<unsigned> lone_timeouts;
};

// A block of one device's group: a site's devices in 32 bits, a device's groups and a group's
// blocks in 16 (each at most one a point; start() refuses a device of more points).
struct BlockRef {
    std::uint32_t device;
    std::uint16_t group;
    std::uint16_t block;
};

// A block that times out while the device answers its other reads is split only when that
// happens this many cycles in a row: once may be another device's late answer on the bus.
constexpr unsigned split_after_lone_timeouts = 3;

// One point's writes: one at a time, at most one per write_interval, the newest value waiting.
struct WriteSlot {
    struct Waiting {
        codec::Value value;
        std::string shown;  // the payload, for the log
        Poller::WriteDone done;
        bool rewrite = false;  // a keepalive's, not a new value
    };
    explicit WriteSlot(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    bool busy = false;
    bool armed = false;
    SteadyClock::time_point last_start{};
    std::optional<Waiting> waiting;
};

struct DeviceRuntime {
    const profile::DeviceConfig* config = nullptr;
    std::shared_ptr<transport::Link> link;
    transport::Milliseconds timeout{1000};
    std::vector<GroupRuntime> groups;
    Availability availability{3, std::chrono::minutes(5)};
    DeviceCounters counters;
    RequestMetrics metrics;
    // The newest raw values, for the gateway; made only when one asks (options.hold_registers):
    // 192 bytes a device that 1,000 devices without a gateway need not carry.
    std::unique_ptr<HeldRegisters> held;
    // Devices behind a Shine datalogger: records push, nothing is polled. Goes off when no
    // record came within the device's timeout.
    std::unique_ptr<asio::steady_timer> silence;
    std::shared_ptr<transport::Link> shine_link;  // its holding registers through the stick (writes)
    KeptScales kept;     // scale factors read by a slower group, for the faster ones (plan kept)
    std::vector<std::size_t> kept_points;
    std::map<std::size_t, std::unique_ptr<KeepaliveTimer>> keepalive;  // by point index
};

void set_plan(GroupRuntime& g, std::shared_ptr<const GroupPlan> plan) {
    g.shared = std::move(plan);
    g.lone_timeouts.assign(g.plan().blocks.size(), 0);
}

}  // namespace

struct Poller::Impl {
    Impl(asio::io_context& io_, std::shared_ptr<const profile::SiteConfig> config_, SampleSink& sink_,
         PollerOptions options_)
        : io(io_), config(std::move(config_)), sink(sink_), options(std::move(options_)), timer(io_) {}

    asio::io_context& io;
    std::shared_ptr<const profile::SiteConfig> config;
    SampleSink& sink;
    PollerOptions options;
    asio::steady_timer timer;
    Schedule schedule;
    std::vector<Schedule::Entry> due_scratch;  // on_timer()'s, reused
    // Cycles due within this much of a timer's wake-up start with it: 1% of the shortest
    // interval, from 2 ms to 10 ms (1,000 devices spread over 1 s: 100 wake-ups, not 1,000).
    Duration coalesce = std::chrono::milliseconds(2);
    std::map<std::string, std::shared_ptr<transport::Link>> links;
    std::map<std::string, std::shared_ptr<transport::ShineListener>> shine_listeners;
    std::vector<DeviceRuntime> devices;
    std::vector<Sample> samples;  // reused buffer
    std::map<const transport::Link*, std::uint64_t> strays_seen;  // per bus, told so far
    std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<WriteSlot>> write_slots;  // (device, point)
    bool stopped = false;
    std::size_t once_remaining = 0;
    bool once_all_answered = true;

    void start();
    void arm();
    void on_timer();
    // Learns from an answer for held(), when a gateway asks for it.
    void hold(DeviceRuntime& dev, std::span<const std::uint8_t> request, std::span<const std::uint8_t> response,
              SteadyClock::time_point at) {
        if (dev.held) dev.held->absorb(request, response, at);
    }
    void start_cycle(std::size_t d, std::size_t g, TimePoint due);
    void on_block(std::size_t d, std::size_t g, std::size_t b, std::error_code ec, const modbus::Pdu& pdu);
    void finish_cycle(std::size_t d, std::size_t g);
    void keep_scales(std::size_t d, std::size_t g);
    void notice_strays(DeviceRuntime& dev);
    static bool keeps_scales(const DeviceRuntime& dev, std::size_t g) {
        const auto& members = dev.groups[g].plan().points;
        return std::any_of(dev.kept_points.begin(), dev.kept_points.end(), [&](std::size_t p) {
            return std::find(members.begin(), members.end(), p) != members.end();
        });
    }
    bool learn(DeviceRuntime& dev, GroupRuntime& group, std::size_t ok_blocks);
    void write(const std::string& device, const std::string& point, const std::string& payload, WriteDone done);
    void transact(std::size_t d, modbus::Pdu request, transport::Handler done);
    void read_back(std::size_t d, const WrittenRange& w);
    void start_shine_bus(const profile::BusConfig& bus, const transport::LinkOptions& link_options);
    bool shine_known(const std::string& bus, const std::string& logger, const std::string& inverter) const;
    std::optional<std::string> shine_write_refusal(const profile::DeviceConfig& cfg, const profile::Point& pt) const;
    void on_shine_record(const profile::BusConfig& bus, const shine::Frame& frame, const shine::DataRecord& rec);
    void arm_silence(std::size_t d);
    void next_write(std::size_t d, std::size_t p);
    void start_write(std::size_t d, std::size_t p, WriteSlot::Waiting w);
    void start_keepalive(std::size_t d);
    void keep_value(const KeptValue& v);
    void rewrite(std::size_t d, std::size_t p, const codec::Value& value);
    void reply(WriteDone done, WriteOutcome outcome) {
        asio::post(io, [done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
    }
};

void Poller::Impl::write(const std::string& device, const std::string& point, const std::string& payload,
                         WriteDone done) {
    const auto refuse = [&](std::string why) {
        spdlog::warn("write refused: {}", why);
        WriteOutcome out;
        out.error = std::move(why);
        reply(std::move(done), std::move(out));
    };
    if (stopped) return refuse("regpoll is stopping");
    std::size_t d = 0;
    while (d < devices.size() && devices[d].config->name != device) ++d;
    if (d == devices.size()) return refuse("no device \"" + device + "\" in " + config->file);
    const auto& cfg = *devices[d].config;
    std::size_t p = 0;
    while (p < cfg.points.size() && cfg.points[p].name != point) ++p;
    if (p == cfg.points.size()) return refuse("device " + device + " has no point \"" + point + "\"");
    const auto& pt = cfg.points[p];
    if (auto why = write_refusal(cfg, pt)) return refuse(*why);
    if (cfg.shine) {
        if (auto why = shine_write_refusal(cfg, pt)) return refuse(*why);
    }
    auto value = parse_write_payload(pt, payload);
    if (!value) return refuse("device " + device + ": " + value.error());
    if (auto why = check_write_range(pt, *value)) return refuse("device " + device + ": " + *why);

    auto& slot_ptr = write_slots[{d, p}];
    if (!slot_ptr) slot_ptr = std::make_unique<WriteSlot>(io);
    auto& slot = *slot_ptr;
    WriteSlot::Waiting w{std::move(*value), payload, std::move(done)};
    if (!slot.busy && !slot.waiting && SteadyClock::now() >= slot.last_start + cfg.write_interval) {
        return start_write(d, p, std::move(w));
    }
    if (slot.waiting) {
        spdlog::info("device {}: write of {} to point {} superseded by {}", device, slot.waiting->shown, point, payload);
        WriteOutcome out;
        out.error = "superseded by a newer value (" + payload + ") within the write interval";
        reply(std::move(slot.waiting->done), std::move(out));
    }
    slot.waiting = std::move(w);
    next_write(d, p);
}

// Starts the waiting write when the point's interval allows and nothing is in flight.
void Poller::Impl::next_write(std::size_t d, std::size_t p) {
    auto& slot = *write_slots[{d, p}];
    if (slot.busy || !slot.waiting || slot.armed || stopped) return;
    const auto at = slot.last_start + devices[d].config->write_interval;
    if (SteadyClock::now() >= at) {
        auto w = std::move(*slot.waiting);
        slot.waiting.reset();
        return start_write(d, p, std::move(w));
    }
    slot.armed = true;
    slot.timer.expires_at(at);
    slot.timer.async_wait([this, d, p](const boost::system::error_code& ec) {
        if (ec) return;
        write_slots[{d, p}]->armed = false;
        next_write(d, p);
    });
}

void Poller::Impl::start_write(std::size_t d, std::size_t p, WriteSlot::Waiting w) {
    auto& dev = devices[d];
    const auto& pt = dev.config->points[p];
    auto& slot = *write_slots[{d, p}];
    slot.busy = true;
    slot.last_start = SteadyClock::now();
    WriteTarget target{dev.config->shine ? dev.shine_link : dev.link, dev.config->unit, dev.timeout, dev.config, &pt};
    auto shown = w.shown;
    auto done = std::make_shared<WriteDone>(std::move(w.done));
    const bool rewrite = w.rewrite;
    auto value = w.value;
    auto error = write_point(target, std::move(w.value), [this, d, p, shown, done, rewrite, value](WriteOutcome out) {
        const auto& cfg = *devices[d].config;
        const auto& point = cfg.points[p];
        write_slots[{d, p}]->busy = false;
        // A new value written is the one kept alive from now on; a failed write leaves the
        // device (and the keepalive) on the value before it.
        auto kept = devices[d].keepalive.find(p);
        if (out.ok && !rewrite && kept != devices[d].keepalive.end() && !stopped) kept->second->hold(value);
        if (out.ok && rewrite) {
            spdlog::debug("device {}: keepalive rewrote {} to point {}", cfg.name, shown, point.name);
        } else if (out.ok && !out.read_back) {
            // Write-only: no reading of the device to hand to the sinks.
            spdlog::info("device {}: wrote {} to point {} (write-only: not read back)", cfg.name, shown, point.name);
        } else if (out.ok) {
            spdlog::info("device {}: wrote {} to point {}; read back {}", cfg.name, shown, point.name,
                         codec::format_value(out.value));
            if (!out.warning.empty()) spdlog::warn("device {}: point {}: {}", cfg.name, point.name, out.warning);
            if (codec::is_available(out.value) || out.quality == Quality::unavailable) {
                samples.clear();
                samples.push_back(Sample{unix_ms(), &cfg.name, &point.name, &point.unit, out.value, out.quality});
                if (!stopped) sink.on_samples(samples);
            }
        } else if (rewrite) {
            spdlog::warn("device {}: keepalive rewrite of {} to point {} failed: {} (trying again in {} ms)", cfg.name,
                         shown, point.name, out.error, kept->second->every().count());
        } else {
            spdlog::warn("device {}: write of {} to point {} failed: {}", cfg.name, shown, point.name, out.error);
        }
        (*done)(out);
        if (!stopped) next_write(d, p);
    });
    if (error) {
        slot.busy = false;
        spdlog::warn("write refused: device {}: {}", dev.config->name, *error);
        WriteOutcome out;
        out.error = *error;
        reply(std::move(*done), std::move(out));
        next_write(d, p);
    }
}

void Poller::Impl::start_keepalive(std::size_t d) {
    auto& dev = devices[d];
    for (const auto& k : dev.config->keepalive) {
        const auto& points = dev.config->points;
        const auto p = static_cast<std::size_t>(
            std::find_if(points.begin(), points.end(), [&](const profile::Point& q) { return q.name == k.point; }) -
            points.begin());
        if (p == points.size()) continue;  // the loader refuses this
        if (k.value && !dev.config->allows_write(points[p])) {
            spdlog::warn("device {}: point {} is not kept alive: the site does not allow writes to it (\"writes\")",
                         dev.config->name, k.point);
            continue;
        }
        if (k.value) {
            spdlog::info("device {}: point {} is kept alive: {} is written every {}", dev.config->name, k.point,
                         codec::format_value(*k.value), format_duration(k.every));
        } else {
            spdlog::info("device {}: point {} is kept alive: once written, its value is written again every {}",
                         dev.config->name, k.point, format_duration(k.every));
        }
        dev.keepalive[p] = std::make_unique<KeepaliveTimer>(
            io, k.every, [this, d, p](const codec::Value& value) { rewrite(d, p, value); });
        if (k.value) dev.keepalive[p]->start(*k.value);  // first written when the device answers
    }
}

void Poller::Impl::keep_value(const KeptValue& v) {
    const auto drop = [&](const std::string& why) {
        spdlog::info("device {}: {} is no longer rewritten to point {} after the reload: {}", v.device,
                     codec::format_value(v.value), v.point.name, why);
    };
    auto dev = std::find_if(devices.begin(), devices.end(),
                            [&](const DeviceRuntime& r) { return r.config->name == v.device; });
    if (dev == devices.end()) return drop("the device is gone");
    if (auto why = kept_value_refusal(v, *dev->config)) return drop(*why);
    const auto& points = dev->config->points;
    const auto p = static_cast<std::size_t>(
        std::find_if(points.begin(), points.end(), [&](const profile::Point& q) { return q.name == v.point.name; }) -
        points.begin());
    auto kept = dev->keepalive.find(p);
    if (kept == dev->keepalive.end()) return drop("the point is no longer kept alive");
    if (kept->second->fixed()) return drop("the point is now kept alive with a fixed value");
    spdlog::info("device {}: {} is still rewritten to point {} after the reload", v.device,
                 codec::format_value(v.value), v.point.name);
    kept->second->hold(v.value);
    // The last rewrite may be most of a period ago: the device hears it again now.
    kept->second->rewrite_now();
}

// A keepalive's turn. It waits while the device is offline (rewritten when it is back) and
// gives way to a write of a new value in flight or waiting, which it would only delay.
void Poller::Impl::rewrite(std::size_t d, std::size_t p, const codec::Value& value) {
    auto& dev = devices[d];
    if (stopped || dev.availability.offline()) return;
    auto& slot_ptr = write_slots[{d, p}];
    if (!slot_ptr) slot_ptr = std::make_unique<WriteSlot>(io);
    if (slot_ptr->busy || slot_ptr->waiting) return;
    WriteSlot::Waiting w{value, codec::format_value(value), [](const WriteOutcome&) {}, true};
    start_write(d, p, std::move(w));
}

// A client's request through the device's bus queue, like a poll. What the device answers
// refreshes the held values; a write is read back so they show what the device took.
void Poller::Impl::transact(std::size_t d, modbus::Pdu request, transport::Handler done) {
    if (stopped) {
        return asio::post(io, [done = std::move(done)] { done(modbus::Errc::cancelled, {}); });
    }
    auto& dev = devices[d];
    if (!dev.link) {  // behind a Shine datalogger: nothing to send requests through
        return asio::post(io, [done = std::move(done)] { done(modbus::Errc::cancelled, {}); });
    }
    auto req = std::make_shared<modbus::Pdu>(request);
    auto on_answer = [this, d, req, done](std::error_code ec, modbus::Pdu pdu) {
        if (!ec && !stopped) {
            hold(devices[d], *req, pdu, SteadyClock::now());
            if (auto w = written_range(*req)) read_back(d, *w);
        }
        done(ec, std::move(pdu));
    };
    dev.link->async_transact(dev.config->unit, std::move(request), dev.timeout, std::move(on_answer));
}

void Poller::Impl::read_back(std::size_t d, const WrittenRange& w) {
    auto request = modbus::make_read_request(modbus::read_function(w.kind), w.address, w.count);
    if (!request) return;
    auto& dev = devices[d];
    auto on_answer = [this, d, req = *request](std::error_code ec, const modbus::Pdu& pdu) {
        if (!ec && !stopped) hold(devices[d], req, pdu, SteadyClock::now());
    };
    dev.link->async_transact(dev.config->unit, *request, dev.timeout, std::move(on_answer));
}

void Poller::Impl::start() {
    // One link per bus; device quirks (quiet time after connect, pause between requests)
    // apply to the bus they are on: the largest value among its devices wins.
    std::map<std::string, transport::LinkOptions> bus_options;
    for (const auto& bus : config->buses) {
        // What links have to say (a refused dial-in, an echoing adapter) goes to the log.
        bus_options[bus.name].log = [name = bus.name](transport::LogLevel level, const std::string& text) {
            if (level == transport::LogLevel::warning) spdlog::warn("bus {}: {}", name, text);
            else if (level == transport::LogLevel::info) spdlog::info("bus {}: {}", name, text);
            else spdlog::debug("bus {}: {}", name, text);
        };
        bus_options[bus.name].tcp.max_in_flight = bus.max_in_flight;
        bus_options[bus.name].tcp.connect_timeout = std::max(bus.timeout, transport::Milliseconds(3000));
    }
    for (const auto& dev : config->devices) {
        auto& o = bus_options[dev.bus].tcp;
        o.pause_after_connect = std::max(o.pause_after_connect, dev.limits.pause_after_connect);
        o.pause_between_requests = std::max(o.pause_between_requests, dev.limits.pause_between_requests);
    }
    for (const auto& bus : config->buses) {
        if (bus.is_shine()) {
            start_shine_bus(bus, bus_options[bus.name]);
            continue;
        }
        auto link = transport::make_link(io, bus.uri, bus_options[bus.name]);
        if (!link) throw std::runtime_error(config->file + ": bus \"" + bus.name + "\": " + link.error());
        links[bus.name] = std::move(*link);
    }
    const auto now = SteadyClock::now();
    using PlanKey = std::tuple<const void*, std::int64_t, std::uint16_t, std::uint16_t, std::uint16_t>;
    std::map<PlanKey, std::vector<std::shared_ptr<const GroupPlan>>> plans;
    devices.resize(config->devices.size());
    for (std::size_t d = 0; d < devices.size(); ++d) {
        const auto& cfg = config->devices[d];
        auto& dev = devices[d];
        dev.config = &cfg;
        if (options.hold_registers) dev.held = std::make_unique<HeldRegisters>();
        // Shine buses have no link: find, so that none is put in the map as null.
        if (auto it = links.find(cfg.bus); it != links.end()) dev.link = it->second;
        dev.timeout = config->bus(cfg.bus)->timeout;
        dev.availability = Availability(config->poller.offline_after, config->poller.backoff_max);
        if (cfg.shine) {
            dev.availability = Availability(1, config->poller.backoff_max);
            dev.silence = std::make_unique<asio::steady_timer>(io);
            dev.shine_link = transport::make_shine_register_link(
                io, shine_listeners.at(cfg.bus), cfg.shine->datalogger, cfg.shine->inverter,
                bus_options[cfg.bus].log);
            arm_silence(d);
            continue;
        }
        if (!options.once) start_keepalive(d);
        // Groups and blocks are at most one a point (BlockRef keeps them in 16 bits).
        if (cfg.points.size() > 0xFFFF || d > 0xFFFFFFFF) {
            throw std::runtime_error(config->file + ": device \"" + cfg.name + "\": more than 65,535 points");
        }
        // A plan depends on the point list (shared by the devices of one profile), the
        // interval and the limits a read must keep to: devices alike share theirs.
        const PlanKey key{&cfg.points.get(), cfg.interval.count(), cfg.limits.max_registers, cfg.limits.max_bits,
                          cfg.limits.max_gap};
        auto& group_plans = plans[key];
        if (group_plans.empty()) {
            // --once has no earlier cycle to keep a scale factor from: every group reads its own.
            auto plan = plan::plan_device(cfg.points, cfg.interval, cfg.limits, !options.once);
            for (auto& group_plan : plan.groups) group_plans.push_back(make_group_plan(std::move(group_plan)));
        }
        for (const auto& group_plan : group_plans) {
            for (std::size_t p : group_plan->plan.kept) {
                if (std::find(dev.kept_points.begin(), dev.kept_points.end(), p) == dev.kept_points.end()) {
                    dev.kept_points.push_back(p);
                }
            }
            set_plan(dev.groups.emplace_back(), group_plan);
        }
        for (std::size_t g = 0; g < dev.groups.size(); ++g) {
            // A group that reads scale factors for faster ones starts with the fastest (and,
            // at the same instant, before it: Schedule puts the slower group first).
            const auto spread = keeps_scales(dev, g) ? dev.groups.front().plan().interval : dev.groups[g].plan().interval;
            const auto offset = options.once ? Duration::zero() : start_offset(d, devices.size(), spread);
            schedule.add({now + offset, d, g});
            ++once_remaining;
        }
    }
    Duration shortest = Duration::max();
    for (const auto& dev : devices)
        for (const auto& g : dev.groups)
            if (Duration(g.plan().interval) > Duration::zero()) shortest = std::min(shortest, Duration(g.plan().interval));
    if (shortest != Duration::max())
        coalesce = std::clamp<Duration>(shortest / 100, std::chrono::milliseconds(2), std::chrono::milliseconds(10));
    if (options.once && once_remaining == 0 && options.on_done) {
        // Only devices behind Shine dataloggers: they push records, --once polls nothing.
        spdlog::warn("--once: no device here is polled (devices on shine+listen:// buses push their records; "
                     "run without --once to receive them)");
        boost::asio::post(io, [this] {
            if (!stopped) options.on_done(true);
        });
        return;
    }
    arm();
}

void Poller::Impl::start_shine_bus(const profile::BusConfig& bus, const transport::LinkOptions& link_options) {
    transport::ShineListenerOptions o;
    o.drop_unknown = bus.drop_unknown_loggers;
    o.log = link_options.log;
    if (bus.relay) {
        o.relay.emplace();
        o.relay->host = bus.relay->host;
        o.relay->port = bus.relay->port;
        o.relay->commands = bus.relay->allow_commands ? shine::RelayCommands::allow : shine::RelayCommands::block;
    }
    o.known = [this, name = bus.name](const std::string& logger, const std::string& inverter) {
        return shine_known(name, logger, inverter);
    };
    o.on_record = [this, &bus](const shine::Frame& frame, const shine::DataRecord& rec) {
        if (!stopped) on_shine_record(bus, frame, rec);
    };
    auto listener = transport::make_shine_listener(io, bus.uri, std::move(o));
    if (!listener) throw std::runtime_error(config->file + ": bus \"" + bus.name + "\": " + listener.error());
    shine_listeners[bus.name] = std::move(*listener);
}

// Through a stick only holding registers can be written (0x06/0x10), and only while its
// logger is connected: said at once rather than after a timeout.
std::optional<std::string> Poller::Impl::shine_write_refusal(const profile::DeviceConfig& cfg,
                                                             const profile::Point& pt) const {
    if (pt.kind != modbus::RegisterKind::holding) {
        return "point " + pt.name + " of device " + cfg.name + " is a " + std::string(modbus::register_kind_name(pt.kind)) +
               " point: through a Shine datalogger only holding registers can be written (commands 0x06/0x10)";
    }
    const auto& listener = shine_listeners.at(cfg.bus);
    if (!listener->connected(cfg.shine->datalogger)) {
        return "device " + cfg.name + ": datalogger " + cfg.shine->datalogger + " is not connected to bus " + cfg.bus +
               " (it dials in by itself); nothing was written";
    }
    return std::nullopt;
}

// A device on `bus` takes the logger's records (those of `inverter`; empty: of any inverter).
bool Poller::Impl::shine_known(const std::string& bus, const std::string& logger, const std::string& inverter) const {
    for (const auto& dev : devices) {
        const auto& s = dev.config->shine;
        if (s && dev.config->bus == bus && s->datalogger == logger &&
            (inverter.empty() || s->inverter.empty() || s->inverter == inverter)) {
            return true;
        }
    }
    return false;
}

void Poller::Impl::on_shine_record(const profile::BusConfig& bus, const shine::Frame& frame,
                                   const shine::DataRecord& rec) {
    const auto arrival = unix_ms();
    const bool buffered = frame.type == static_cast<std::uint8_t>(shine::RecordType::buffered_data);
    const auto kind = pushed_kind(frame.type);
    const auto own_time = record_time_ms(rec.time, bus.utc_offset_minutes, arrival, buffered);
    if (buffered && !own_time) {
        // Stamped with the arrival time it would pass for a current value, which it is not.
        spdlog::info("bus {}: buffered record from datalogger {} has no plausible time of its own; not decoded",
                     bus.name, rec.datalogger);
        return;
    }
    const auto ts = own_time.value_or(arrival);
    for (std::size_t d = 0; d < devices.size(); ++d) {
        auto& dev = devices[d];
        const auto& s = dev.config->shine;
        if (!s || dev.config->bus != bus.name || s->datalogger != rec.datalogger ||
            (!s->inverter.empty() && s->inverter != rec.inverter)) {
            continue;
        }
        ++dev.counters.cycles;
        // Old values are no base for a read-modify-write: only live records are held.
        if (!buffered) {
            if (dev.held)
                for (const auto& b : rec.blocks) dev.held->store(kind, b.first, b.values, SteadyClock::now());
        }
        samples.clear();
        auto errors = decode_pushed_blocks(dev.config->points, kind, rec.blocks, ts, dev.config->name, samples);
        for (auto& sample : samples) sample.buffered = buffered;
        for (const auto& e : errors) {
            spdlog::warn("device {}: point {}: {}", dev.config->name, dev.config->points[e.point].name, e.message);
        }
        spdlog::debug("device {}: {} record from datalogger {} inverter {}: {} blocks, {} samples", dev.config->name,
                      shine::record_type_name(frame.type), rec.datalogger, rec.inverter, rec.blocks.size(),
                      samples.size());
        if (!samples.empty()) sink.on_samples(samples);
        if (dev.availability.success() == Availability::Change::went_online) {
            spdlog::info("device {}: online (datalogger {}, inverter {})", dev.config->name, rec.datalogger,
                         rec.inverter);
            sink.on_availability(dev.config->name, true);
        }
        arm_silence(d);
        if (frame.type == static_cast<std::uint8_t>(shine::RecordType::announce)) {
            align_datalogger_settings(shine_listeners.at(bus.name), *dev.config, bus.utc_offset_minutes);
        }
    }
}

// Offline when the next record does not come within the device's timeout.
void Poller::Impl::arm_silence(std::size_t d) {
    auto& dev = devices[d];
    dev.silence->expires_after(dev.config->shine->timeout);
    dev.silence->async_wait([this, d](const boost::system::error_code& ec) {
        if (ec || stopped) return;
        auto& device = devices[d];
        if (device.availability.failure() == Availability::Change::went_offline) {
            spdlog::warn("device {}: offline: no record from datalogger {} for {} ms", device.config->name,
                         device.config->shine->datalogger, device.config->shine->timeout.count());
            sink.on_availability(device.config->name, false);
        }
        arm_silence(d);
    });
}

void Poller::Impl::arm() {
    if (stopped) return;
    auto next = schedule.next_due();
    if (!next) return;
    timer.expires_at(*next);
    timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) on_timer();
    });
}

void Poller::Impl::on_timer() {
    // Cycles due within `coalesce` start now: one wake-up serves them all (1000 devices
    // spread over a second would otherwise cost a wake-up each). Deadlines stay on their grid.
    auto due = std::move(due_scratch);  // moved out: safe should a cycle ever call back here
    schedule.pop_due(SteadyClock::now() + coalesce, due);
    for (const auto& e : due) start_cycle(e.device, e.group, e.due);
    due_scratch = std::move(due);
    arm();
}

void Poller::Impl::start_cycle(std::size_t d, std::size_t g, TimePoint due) {
    auto& dev = devices[d];
    auto& group = dev.groups[g];
    const auto interval = Duration(group.plan().interval);
    const bool continuous = interval <= Duration::zero();
    if (!options.once && !continuous) {
        // Fixed rate: the next slot is on the grid, whatever this cycle costs.
        auto next = next_deadline(due, dev.availability.poll_delay(interval), SteadyClock::now());
        dev.counters.missed_deadlines += next.missed;
        dev.metrics.missed_deadlines += next.missed;
        schedule.add({next.at, d, g});
    }
    if (group.busy) {  // the previous cycle is still waiting on a slow bus: skip this one
        ++dev.counters.missed_deadlines;
        ++dev.metrics.missed_deadlines;
        return;
    }
    group.busy = true;
    group.due = due;
    group.pending = group.requests().size();
    group.data.assign(group.requests().size(), BlockData{});
    group.errors.assign(group.requests().size(), std::error_code{});
    if (group.pending == 0) return finish_cycle(d, g);
    group.sent = SteadyClock::now();
    for (std::size_t b = 0; b < group.requests().size(); ++b) {
        // 16 bytes of capture: std::function keeps them in place, no allocation per request.
        const BlockRef ref{static_cast<std::uint32_t>(d), static_cast<std::uint16_t>(g), static_cast<std::uint16_t>(b)};
        dev.link->async_transact(dev.config->unit, group.requests()[b], dev.timeout,
                                 [this, ref](std::error_code ec, modbus::Pdu pdu) {
                                     on_block(ref.device, ref.group, ref.block, ec, pdu);
                                 });
    }
}

void Poller::Impl::on_block(std::size_t d, std::size_t g, std::size_t b, std::error_code ec, const modbus::Pdu& pdu) {
    if (stopped) return;
    auto& dev = devices[d];
    auto& group = dev.groups[g];
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - group.sent).count();
    ++dev.counters.requests;
    dev.counters.latency_us_total += static_cast<std::uint64_t>(latency);
    dev.counters.latency_us_max = std::max(dev.counters.latency_us_max, static_cast<std::uint64_t>(latency));
    auto& data = group.data[b];
    if (!ec) {
        const auto& request = group.requests()[b];
        if (modbus::is_bit_kind(group.plan().blocks[b].kind)) {
            auto bits = modbus::parse_bits(request, pdu);
            if (bits) data.bits = std::move(*bits);
            else ec = bits.error();
        } else {
            auto regs = modbus::parse_registers(request, pdu);
            if (regs) data.registers = std::move(*regs);
            else ec = regs.error();
        }
        if (!ec) hold(dev, request, pdu, SteadyClock::now());
    }
    data.ok = !ec;
    dev.metrics.record(std::chrono::microseconds(latency), ec, unix_ms());
    if (ec) {
        group.errors[b] = ec;
        ++dev.counters.errors;
        if (ec == modbus::Errc::timeout) ++dev.counters.timeouts;
    }
    if (--group.pending == 0) finish_cycle(d, g);
}

void Poller::Impl::finish_cycle(std::size_t d, std::size_t g) {
    auto& dev = devices[d];
    auto& group = dev.groups[g];
    group.busy = false;
    ++dev.counters.cycles;
    std::size_t ok_blocks = 0;
    for (const auto& data : group.data) ok_blocks += data.ok ? 1 : 0;
    const bool all_ok = ok_blocks == group.data.size();
    const bool continuous = !options.once && group.plan().interval.count() <= 0;
    // This cycle's data moves aside: the next cycle may start before it is decoded.
    std::swap(group.data, group.finished);
    // Polled back to back and every read answered: the next request leaves before this
    // cycle is decoded and handed on, so the device never waits for that work (10 devices
    // that answer after 2 ms leave 20 us a cycle for everything of ours). The order changes
    // nothing else: the layout only changes after a failed read, and a device that answered
    // is online. (A group without reads is posted below instead: it would recurse here.)
    const bool started_next = continuous && all_ok && !group.finished.empty() && !stopped;
    if (started_next) start_cycle(d, g, SteadyClock::now());
    notice_strays(dev);
    for (std::size_t b = 0; b < group.lone_timeouts.size(); ++b) {
        if (group.errors[b] != modbus::Errc::timeout) {
            group.lone_timeouts[b] = 0;
        } else if (ok_blocks > 0) {
            ++group.lone_timeouts[b];
        }
    }
    if (!all_ok) {
        for (std::size_t b = 0; b < group.errors.size(); ++b) {
            if (group.errors[b]) {
                spdlog::debug("device {}: read {} {}+{}: {}", dev.config->name,
                              modbus::register_kind_name(group.plan().blocks[b].kind), group.plan().blocks[b].address,
                              group.plan().blocks[b].count, group.errors[b].message());
            }
        }
        // With --once there is no next cycle to use a better layout in: use it now.
        if (options.once && group.relearned < 4 && learn(dev, group, ok_blocks)) {
            ++group.relearned;
            return start_cycle(d, g, group.due);
        }
    }

    if (!dev.kept_points.empty()) keep_scales(d, g);
    samples.clear();
    auto errors = decode_group(dev.config->points, group.plan(), group.finished, unix_ms(), dev.config->name, samples,
                               &dev.kept);
    for (const auto& e : errors) {
        spdlog::warn("device {}: point {}: {}", dev.config->name, dev.config->points[e.point].name, e.message);
    }
    if (!samples.empty()) sink.on_samples(samples);
    // A better layout applies from the next cycle on: this cycle's data is laid out by the
    // blocks it was read with, so it is decoded first.
    if (!all_ok && !options.once) learn(dev, group, ok_blocks);

    const auto change = ok_blocks > 0 || group.finished.empty() ? dev.availability.success() : dev.availability.failure();
    if (change != Availability::Change::none) {
        const bool online = change == Availability::Change::went_online;
        if (online) {
            spdlog::info("device {}: online", dev.config->name);
            // The device may have fallen back while it was away.
            for (auto& [p, kept] : dev.keepalive) kept->rewrite_now();
        } else {
            std::error_code first;
            for (const auto& e : group.errors) if (e && !first) first = e;
            spdlog::warn("device {}: offline after {} failed cycles ({})", dev.config->name,
                         dev.availability.consecutive_failures(), first.message());
        }
        sink.on_availability(dev.config->name, online);
    }
    if (options.once) {
        once_all_answered = once_all_answered && all_ok;
        if (--once_remaining == 0 && options.on_done) options.on_done(once_all_answered);
        return;
    }
    if (continuous && !started_next && !stopped) {  // backed off when offline
        if (!dev.availability.offline()) {
            // Straight on, without a timer round trip; posted, never run inside this handler.
            boost::asio::post(io, [this, d, g] {
                if (!stopped) start_cycle(d, g, SteadyClock::now());
            });
            return;
        }
        schedule.add({SteadyClock::now() + dev.availability.poll_delay(Duration::zero()), d, g});
        arm();
    }
}

// Replies the bus discarded for a transaction id no request had are counted on the device
// whose cycle notices them, and said in the log at the 1st, 10th, 100th... of a bus: a
// timeout alone would hide that the device did answer.
void Poller::Impl::notice_strays(DeviceRuntime& dev) {
    const auto now = dev.link->stats().stray_frames;
    auto& seen = strays_seen[dev.link.get()];
    if (now <= seen) return;
    dev.counters.discarded_replies += now - seen;
    std::uint64_t mark = 1;
    while (mark * 10 <= now) mark *= 10;
    if (seen < mark) {
        spdlog::warn("bus {}: {} {} discarded: {} transaction id matched no request waiting (a late answer "
                     "after a timeout, or a device that does not echo the transaction id)",
                     dev.config->bus, now, now == 1 ? "reply" : "replies", now == 1 ? "its" : "their");
    }
    seen = now;
}

// A scale factor this group read for faster groups is kept for them. One it could not read
// is tried again at the fastest group's pace (at least 1 s), not a day later.
void Poller::Impl::keep_scales(std::size_t d, std::size_t g) {
    auto& dev = devices[d];
    auto& group = dev.groups[g];
    bool missing = false;
    for (std::size_t p : dev.kept_points) {
        const auto& members = group.plan().points;
        if (std::find(members.begin(), members.end(), p) == members.end()) continue;
        if (auto regs = point_registers(dev.config->points, group.plan(), group.finished, p)) {
            dev.kept[p].assign(regs->begin(), regs->end());
        } else {
            missing = true;
        }
    }
    if (missing && !options.once && !stopped) {
        const auto pace = std::max(Duration(dev.groups.front().plan().interval), Duration(std::chrono::seconds(1)));
        schedule.add({SteadyClock::now() + dev.availability.poll_delay(pace), d, g});
        arm();
    }
}

// A device that rejects a block (illegal address/function/value, or a timeout on a large
// read while its other reads work, split_after_lone_timeouts cycles in a row) gets the block
// split; the working layout is kept. True when the cycle is worth repeating under --once:
// the layout changed, or a lone timeout has not yet recurred often enough to split for.
bool Poller::Impl::learn(DeviceRuntime& dev, GroupRuntime& group, std::size_t ok_blocks) {
    std::vector<plan::Block> blocks;
    std::vector<std::size_t> dropped;  // points the device does not support
    bool changed = false;
    bool again = false;  // a lone timeout not yet repeated often enough to split for
    for (std::size_t b = 0; b < group.plan().blocks.size(); ++b) {
        const auto& block = group.plan().blocks[b];
        const auto ec = group.errors[b];
        const bool rejected = ec && modbus::policy_of(ec) == modbus::Policy::unsupported;
        const bool lone_timeout = ec == modbus::Errc::timeout && ok_blocks > 0 && block.points.size() > 1;
        const bool big_timeout = lone_timeout && group.lone_timeouts[b] >= split_after_lone_timeouts;
        again = again || (lone_timeout && !big_timeout);
        if (!rejected && !big_timeout) {
            blocks.push_back(block);
            continue;
        }
        auto halves = plan::split_block(block, dev.config->points);
        if (!halves.empty()) {
            spdlog::info("device {}: {} {}+{} failed ({}); reading it as {} smaller requests from now on",
                         dev.config->name, modbus::register_kind_name(block.kind), block.address, block.count,
                         ec.message(), halves.size());
            blocks.insert(blocks.end(), halves.begin(), halves.end());
            changed = true;
        } else if (rejected) {
            const auto& point = dev.config->points[block.points.front()];
            spdlog::warn("device {}: point {} ({} {}) is not supported by the device ({}); no longer polled",
                         dev.config->name, point.name, modbus::register_kind_name(block.kind), block.address,
                         ec.message());
            dropped.push_back(block.points.front());
            changed = true;
        } else {
            blocks.push_back(block);
        }
    }
    if (changed) {
        // This device's own layout from now on; the others of its profile keep theirs.
        auto own = group.plan();
        own.blocks = std::move(blocks);
        for (std::size_t p : dropped) std::erase(own.points, p);
        set_plan(group, make_group_plan(std::move(own)));
    }
    return changed || again;
}

Poller::Poller(asio::io_context& io, std::shared_ptr<const profile::SiteConfig> config, SampleSink& sink,
               PollerOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(config), sink, std::move(options))) {}

Poller::~Poller() { stop(); }

void Poller::start() { impl_->start(); }

void Poller::write(const std::string& device, const std::string& point, const std::string& payload, WriteDone done) {
    impl_->write(device, point, payload, std::move(done));
}

void Poller::stop() {
    if (!impl_ || impl_->stopped) return;
    impl_->stopped = true;
    impl_->timer.cancel();
    for (auto& [key, slot] : impl_->write_slots) {
        slot->timer.cancel();
        if (slot->waiting) {
            WriteOutcome out;
            out.error = "not written: regpoll stopped or reloaded its configuration first";
            impl_->reply(std::move(slot->waiting->done), std::move(out));
            slot->waiting.reset();
        }
    }
    for (auto& dev : impl_->devices) {
        for (auto& [p, kept] : dev.keepalive) kept->cancel();
    }
    for (auto& [name, link] : impl_->links) link->close();
    for (auto& [name, listener] : impl_->shine_listeners) listener->close();
    for (auto& dev : impl_->devices) {
        if (dev.silence) dev.silence->cancel();
    }
}

void Poller::transact(std::size_t device, modbus::Pdu request, transport::Handler done) {
    impl_->transact(device, std::move(request), std::move(done));
}

const HeldRegisters& Poller::held(std::size_t device) const {
    static const HeldRegisters none;
    const auto& held = impl_->devices.at(device).held;
    return held ? *held : none;
}

bool Poller::offline(std::size_t device) const {
    return impl_->devices.at(device).availability.offline();
}

const RequestMetrics& Poller::metrics(std::size_t device) const {
    return impl_->devices.at(device).metrics;
}

std::vector<KeptValue> Poller::kept_values() const {
    std::vector<KeptValue> out;
    for (const auto& dev : impl_->devices) {
        for (const auto& [p, kept] : dev.keepalive) {
            if (auto value = kept->written()) {
                const auto& cfg = *dev.config;
                out.push_back(KeptValue{cfg.name, cfg.bus, cfg.unit, cfg.points[p], *value});
            }
        }
    }
    return out;
}

void Poller::keep_values(const std::vector<KeptValue>& values) {
    for (const auto& v : values) impl_->keep_value(v);
}

const profile::SiteConfig& Poller::config() const { return *impl_->config; }

std::vector<std::string> Poller::take_stats_lines() {
    std::vector<std::string> lines;
    for (auto& dev : impl_->devices) {
        auto& c = dev.counters;
        const double avg_ms = c.requests ? static_cast<double>(c.latency_us_total) / static_cast<double>(c.requests) / 1000.0 : 0.0;
        lines.push_back(fmt::format("device {}: {} cycles, {} requests, {} errors, {} timeouts{}, latency avg {:.1f} ms max {:.1f} ms, {} missed deadlines, {}",
                                    dev.config->name, c.cycles, c.requests, c.errors, c.timeouts,
                                    c.discarded_replies ? fmt::format(" ({} stray replies discarded)", c.discarded_replies) : "",
                                    avg_ms, static_cast<double>(c.latency_us_max) / 1000.0, c.missed_deadlines,
                                    !dev.availability.known() ? "not yet known" : dev.availability.offline() ? "offline" : "online"));
        c = DeviceCounters{};
    }
    return lines;
}

DeviceCounters Poller::totals() const {
    DeviceCounters t;
    for (const auto& dev : impl_->devices) {
        t.cycles += dev.counters.cycles;
        t.requests += dev.counters.requests;
        t.errors += dev.counters.errors;
        t.timeouts += dev.counters.timeouts;
        t.missed_deadlines += dev.counters.missed_deadlines;
        t.discarded_replies += dev.counters.discarded_replies;
    }
    return t;
}

}  // namespace regpoll::poll
