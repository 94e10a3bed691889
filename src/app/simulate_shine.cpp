// regpoll simulate --shine tcp://host:port: simulated Growatt Shine dataloggers (--sticks,
// default one), each carrying one inverter (--profile, laid out in its family's blocks), that
// dial a server. stdout: "READY shine <first datalogger>" once, and with --print-values one
// JSON line of the values per record taken; logs go to stderr.
#include <cctype>
#include <cstdio>
#include <memory>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/stop_triggers.hpp"
#include "common/duration.hpp"
#include "poll/value_json.hpp"
#include "profile/profile_loader.hpp"
#include "sim/sim_device.hpp"
#include "sim/shine_stick.hpp"

namespace regpoll::app {
namespace {

namespace asio = boost::asio;

// "tcp://host:port" (port 5279 when left out).
bool parse_target(const std::string& uri, sim::ShineStickSpec& spec) {
    const std::string scheme = "tcp://";
    if (!uri.starts_with(scheme)) return false;
    const std::string rest = uri.substr(scheme.size());
    const auto colon = rest.rfind(':');
    spec.host = rest.substr(0, colon);
    if (colon != std::string::npos) {
        try {
            const int port = std::stoi(rest.substr(colon + 1));
            if (port < 1 || port > 65535) return false;
            spec.port = static_cast<std::uint16_t>(port);
        } catch (const std::exception&) {
            return false;
        }
    }
    return !spec.host.empty();
}

bool plausible_logger(const std::string& s) { return s.size() <= 10 && shine::plausible_serial(s); }

std::optional<sim::ShineStickSpec> stick_spec(const SimulateArgs& a, const profile::Profile& p) {
    sim::ShineStickSpec spec;
    if (!parse_target(a.shine, spec)) {
        print_error("--shine \"" + a.shine + "\" is not tcp://host:port");
        return std::nullopt;
    }
    if (a.shine_protocol != 2 && a.shine_protocol != 5 && a.shine_protocol != 6) {
        print_error("--shine-protocol " + std::to_string(a.shine_protocol) + " is not 2, 5 or 6");
        return std::nullopt;
    }
    if (!plausible_logger(a.datalogger) || !plausible_logger(a.inverter)) {
        print_error("--datalogger and --inverter are 1 to 10 letters and digits");
        return std::nullopt;
    }
    auto interval = parse_duration(a.upload_interval);
    if (!interval || interval->count() <= 0) {
        print_error("--upload-interval \"" + a.upload_interval + "\" is not a duration such as 1m");
        return std::nullopt;
    }
    if (!a.clock_skew.empty()) {
        const bool behind = a.clock_skew.front() == '-';
        auto skew = parse_duration(behind ? a.clock_skew.substr(1) : a.clock_skew);
        if (!skew) {
            print_error("--clock-skew \"" + a.clock_skew + "\" is not a duration such as 2h or -2h");
            return std::nullopt;
        }
        spec.clock_skew = behind ? -*skew : *skew;
    }
    spec.datalogger = a.datalogger;
    spec.inverter = a.inverter;
    spec.protocol = static_cast<std::uint16_t>(a.shine_protocol);
    spec.unit = static_cast<std::uint8_t>(a.unit);
    spec.upload_interval = *interval;
    spec.ack_timeout = std::min<std::chrono::milliseconds>(*interval, std::chrono::seconds(10));
    // The classic v3.x family (45 registers per read) sends 45-register blocks, the others 125.
    const std::uint16_t block = p.limits.max_registers <= 45 ? 45 : 125;
    spec.input_blocks = sim::stick_blocks(p.points, modbus::RegisterKind::input, block);
    spec.holding_blocks = sim::stick_blocks(p.points, modbus::RegisterKind::holding, block);
    return spec;
}

// The n-th serial counted up from `first` (its trailing digits): SIMLOG0001 + 2 = SIMLOG0003.
// Empty when `first` has no trailing digits or they run out.
std::string nth_serial(const std::string& first, int n) {
    if (n == 0) return first;
    std::size_t digits = first.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(first[digits - 1]))) --digits;
    const std::size_t width = first.size() - digits;
    if (width == 0 || width > 9) return {};
    const auto number = std::stoll(first.substr(digits)) + n;
    std::string text = std::to_string(number);
    if (text.size() > width) return {};
    return first.substr(0, digits) + std::string(width - text.size(), '0') + text;
}

std::string blocks_text(const std::vector<sim::StickBlock>& blocks) {
    std::string out;
    for (const auto& b : blocks) {
        if (!out.empty()) out += ", ";
        out += std::to_string(b.first) + "-" + std::to_string(b.first + b.count - 1);
    }
    return out.empty() ? "none" : out;
}

}  // namespace

int run_simulate_shine(const SimulateArgs& a) {
    if (a.profile.empty()) {
        print_error("--shine needs --profile (the inverter behind the datalogger)");
        return exit_usage;
    }
    profile::ProfileLibrary library;
    profile::Diagnostics diag;
    auto device_spec =
        sim::device_from_profile(a.profile, static_cast<std::uint8_t>(a.unit), library, diag);
    for (const auto& e : diag.errors()) spdlog::error("{}", e);
    if (!device_spec) return exit_usage;
    auto spec = stick_spec(a, *device_spec->profile);
    if (!spec) return exit_usage;

    if (a.sticks > 1 && (nth_serial(spec->datalogger, a.sticks - 1).empty() ||
                         nth_serial(spec->inverter, a.sticks - 1).empty())) {
        print_error("--sticks " + std::to_string(a.sticks) + ": --datalogger " + spec->datalogger +
                    " and --inverter " + spec->inverter +
                    " must end in enough digits to count up to the last stick");
        return exit_usage;
    }

    // One stick: its inverter's registers, values and connection.
    struct Stick {
        sim::ShineStickSpec spec;
        std::unique_ptr<sim::SimDevice> device;
        server::UnitTables tables;
        bool refreshed = false;
        std::unique_ptr<sim::ShineStick> link;
    };
    const auto zone = sim::LocalZone::system();
    const std::uint64_t seed = a.seed >= 0 ? static_cast<std::uint64_t>(a.seed) : 1;
    // Before the sticks, so it outlives them: a stick's timers and socket go back to the
    // io_context's services when the stick is destroyed (UBSan caught the reverse order).
    asio::io_context io;
    std::vector<std::unique_ptr<Stick>> sticks;
    for (int n = 0; n < a.sticks; ++n) {
        auto& s = *sticks.emplace_back(std::make_unique<Stick>());
        s.spec = *spec;
        s.spec.datalogger = nth_serial(spec->datalogger, n);
        s.spec.inverter = nth_serial(spec->inverter, n);
        s.device = std::make_unique<sim::SimDevice>(*device_spec, zone, seed + static_cast<std::uint64_t>(n));
        s.device->attach(s.tables);
        for (const auto& b : s.spec.input_blocks) s.tables.map(modbus::RegisterKind::input, b.first, b.count);
        for (const auto& b : s.spec.holding_blocks) s.tables.map(modbus::RegisterKind::holding, b.first, b.count);
        auto refresh = [&a, &s](sim::SimTime t) {
            if (a.freeze && s.refreshed) return;
            std::vector<std::string> problems;
            s.device->refresh(t, s.tables, problems);
            for (const auto& p : problems) spdlog::warn("sim: {}: {}", s.spec.datalogger, p);
            s.refreshed = true;
            if (!a.print_values) return;
            nlohmann::ordered_json line;
            line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
            line["name"] = s.device->name();
            line["datalogger"] = s.spec.datalogger;
            nlohmann::ordered_json values = nlohmann::ordered_json::object();
            for (std::size_t i = 0; i < s.device->points().size() && i < s.device->intended().size(); ++i)
                values[s.device->points()[i].name] = poll::value_to_json(s.device->intended()[i]);
            line["values"] = std::move(values);
            const auto text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
            std::fwrite(text.data(), 1, text.size(), stdout);
            std::fflush(stdout);
        };
        s.link = std::make_unique<sim::ShineStick>(io, s.spec, s.tables, refresh,
                                                   [] { return sim::SimClock::now(); }, zone);
    }
    spdlog::info("sim: {} datalogger{} {}{} (protocol {}) with inverter {} ({}) dial{} {}:{} every {} ms; "
                 "input blocks {}, holding blocks {}",
                 a.sticks, a.sticks > 1 ? "s" : "", spec->datalogger,
                 a.sticks > 1 ? " to " + sticks.back()->spec.datalogger : "", spec->protocol, spec->inverter,
                 a.profile, a.sticks > 1 ? "" : "s", spec->host, spec->port, spec->upload_interval.count(),
                 blocks_text(spec->input_blocks), blocks_text(spec->holding_blocks));

    StopTriggers triggers(io, a.seconds, [&] {
        for (auto& s : sticks) s->link->stop();
        triggers.cancel();
    });
    const std::string ready = "READY shine " + spec->datalogger + "\n";
    std::fwrite(ready.data(), 1, ready.size(), stdout);
    std::fflush(stdout);
    for (auto& s : sticks) s->link->start();
    io.run();
    sim::ShineStickStats total;
    for (auto& s : sticks) {
        const auto st = s->link->stats();
        total.connects += st.connects;
        total.sent += st.sent;
        total.resent += st.resent;
        total.acked += st.acked;
        total.buffered += st.buffered;
        total.discarded += st.discarded;
    }
    spdlog::info("sim: {} connects, {} records sent ({} again after no ack), {} acked, {} kept as "
                 "buffered, {} discarded",
                 total.connects, total.sent, total.resent, total.acked, total.buffered, total.discarded);
    return exit_ok;
}

}  // namespace regpoll::app
