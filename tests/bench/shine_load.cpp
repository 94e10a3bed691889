// Load for shine+listen://: N simulated Growatt Shine dataloggers (sim::ShineStick, the
// simulator's own stick) in one process on one io_context, each dialling 127.0.0.1:PORT with
// its own serial (BENCH00001, BENCH00002, …) and one inverter of the same profile, sending a
// live record every upload interval. The sticks start spread over one interval (at most
// --ramp), as a fleet of real sticks does, rather than all in the same millisecond.
//
// The inverter values are shared by all sticks and move at most once a second: the load is
// meant to cost little CPU next to the server it measures.
//
// Prints "READY <sticks>" once the sticks are created, and at the end (after --seconds, or
// on SIGINT/SIGTERM) one line:
//   RESULT sticks=N connects=C sent=S resent=R acked=A buffered=B discarded=D cpu_s=X
// A short upload interval makes the stick queue records faster than they are acked: each
// stick then sends back to back, one record in flight, which measures how fast the server
// acks; what overflows --max-queued per stick is counted as discarded. Keep it deep enough
// that nothing overflows during a run: on overflow ShineStick drops the record in flight and
// sends the next before the ack, the acks stop matching and the stick waits out its ack
// timeout, which measures the load, not the server.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/duration.hpp"
#include "profile/profile_loader.hpp"
#include "sim/shine_stick.hpp"
#include "sim/sim_config.hpp"
#include "sim/sim_device.hpp"

namespace {

using namespace regpoll;
namespace asio = boost::asio;

struct Options {
    std::uint16_t port = 5279;
    std::size_t sticks = 100;
    std::string upload_interval = "10s";
    std::string ramp = "10s";
    std::string profile = "growatt/min-tl-xh";
    std::string prefix = "BENCH";
    int protocol = 6;
    double seconds = 0;  // 0: until a signal
    std::size_t max_queued = 100;
};

// BENCH00001: the prefix, then the stick number padded to a 10-character serial.
std::string serial(const std::string& prefix, std::size_t n) {
    std::string digits = std::to_string(n);
    if (prefix.size() + digits.size() < 10) digits.insert(0, 10 - prefix.size() - digits.size(), '0');
    return prefix + digits;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One inverter's values for every stick, refreshed at most once a second.
class SharedInverter {
  public:
    SharedInverter(const sim::DeviceSpec& spec, sim::LocalZone zone) : device_(spec, zone, 1) {
        device_.attach(tables_);
    }
    void map(const std::vector<sim::StickBlock>& blocks, modbus::RegisterKind kind) {
        for (const auto& b : blocks) tables_.map(kind, b.first, b.count);
    }
    void refresh(sim::SimTime t) {
        if (refreshed_ && t - last_ < std::chrono::seconds(1)) return;
        std::vector<std::string> problems;
        device_.refresh(t, tables_, problems);
        last_ = t;
        refreshed_ = true;
    }
    // Shared by every stick (the load never writes to it; the stick class takes it writable).
    server::UnitTables& tables() { return tables_; }

  private:
    sim::SimDevice device_;
    server::UnitTables tables_;
    sim::SimTime last_{};
    bool refreshed_ = false;
};

int run(const Options& o) {
    const auto interval = parse_duration(o.upload_interval);
    const auto ramp = parse_duration(o.ramp);
    if (!interval || interval->count() <= 0 || !ramp) {
        std::fprintf(stderr, "shine_load: --upload-interval and --ramp are durations such as 10s or 50ms\n");
        return 2;
    }
    profile::ProfileLibrary library;
    profile::Diagnostics diag;
    auto device_spec = sim::device_from_profile(o.profile, 1, library, diag);
    for (const auto& e : diag.errors()) std::fprintf(stderr, "shine_load: %s\n", e.c_str());
    if (!device_spec) return 2;

    // The blocks the family's stick sends, as `regpoll simulate --shine` lays them out.
    sim::ShineStickSpec base;
    base.port = o.port;
    base.protocol = static_cast<std::uint16_t>(o.protocol);
    base.upload_interval = *interval;
    base.ack_timeout = std::chrono::seconds(10);
    base.max_buffered = o.max_queued;
    const auto& points = device_spec->profile->points;
    const std::uint16_t block = device_spec->profile->limits.max_registers <= 45 ? 45 : 125;
    base.input_blocks = sim::stick_blocks(points, modbus::RegisterKind::input, block);
    base.holding_blocks = sim::stick_blocks(points, modbus::RegisterKind::holding, block);

    const auto zone = sim::LocalZone::system();
    SharedInverter inverter(*device_spec, zone);
    inverter.map(base.input_blocks, modbus::RegisterKind::input);
    inverter.map(base.holding_blocks, modbus::RegisterKind::holding);

    asio::io_context io;
    std::vector<std::unique_ptr<sim::ShineStick>> sticks;
    sticks.reserve(o.sticks);
    for (std::size_t i = 0; i < o.sticks; ++i) {
        auto spec = base;
        spec.datalogger = serial(o.prefix, i + 1);
        spec.inverter = serial("BINV", i + 1);
        sticks.push_back(std::make_unique<sim::ShineStick>(
            io, std::move(spec), inverter.tables(), [&inverter](sim::SimTime t) { inverter.refresh(t); },
            [] { return sim::SimClock::now(); }, zone));
    }

    // Stick i starts at i * spread / N: their records stay spread over the interval.
    const auto spread = std::min(*interval, *ramp);
    std::vector<std::unique_ptr<asio::steady_timer>> starts;
    for (std::size_t i = 0; i < sticks.size(); ++i) {
        auto t = std::make_unique<asio::steady_timer>(io, spread * static_cast<long>(i) / static_cast<long>(sticks.size()));
        t->async_wait([&sticks, i](const boost::system::error_code& ec) {
            if (!ec) sticks[i]->start();
        });
        starts.push_back(std::move(t));
    }

    asio::steady_timer end(io);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto stop = [&] {
        for (auto& t : starts) t->cancel();
        for (auto& s : sticks) s->stop();
        end.cancel();
        signals.cancel();
    };
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) stop();
    });
    if (o.seconds > 0) {
        end.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(o.seconds)));
        end.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) stop();
        });
    }
    std::printf("READY %zu\n", sticks.size());
    std::fflush(stdout);
    io.run();

    sim::ShineStickStats total;
    for (const auto& s : sticks) {
        const auto st = s->stats();
        total.connects += st.connects;
        total.sent += st.sent;
        total.resent += st.resent;
        total.acked += st.acked;
        total.buffered += st.buffered;
        total.discarded += st.discarded;
    }
    std::printf("RESULT sticks=%zu connects=%llu sent=%llu resent=%llu acked=%llu buffered=%llu discarded=%llu cpu_s=%.2f\n",
                sticks.size(), static_cast<unsigned long long>(total.connects),
                static_cast<unsigned long long>(total.sent), static_cast<unsigned long long>(total.resent),
                static_cast<unsigned long long>(total.acked), static_cast<unsigned long long>(total.buffered),
                static_cast<unsigned long long>(total.discarded), cpu_seconds());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"N simulated Growatt Shine dataloggers dialling one shine+listen:// port"};
    app.add_option("--port", o.port, "the server's port on 127.0.0.1")->required();
    app.add_option("--sticks", o.sticks, "how many dataloggers")->check(CLI::Range(1, 20000));
    app.add_option("--upload-interval", o.upload_interval, "a live record this often, per stick");
    app.add_option("--ramp", o.ramp, "start the sticks over this long at the most");
    app.add_option("--profile", o.profile, "the inverter behind every stick");
    app.add_option("--prefix", o.prefix, "datalogger serials are this and the stick number");
    app.add_option("--protocol", o.protocol, "Shine protocol 2, 5 or 6")->check(CLI::IsMember({2, 5, 6}));
    app.add_option("--seconds", o.seconds, "stop after this long (0: at SIGINT/SIGTERM)");
    app.add_option("--max-queued", o.max_queued, "records a stick keeps waiting for their ack");
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);  // one line per stick connect is noise here
    return run(o);
}
