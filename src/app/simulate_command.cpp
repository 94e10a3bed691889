// regpoll simulate: devices from profiles served over Modbus, with values that move and
// faults on purpose. One event loop; SIGINT/SIGTERM (or --seconds) stop it cleanly.
// stdout carries only "READY <port or device>" per listener and, with --print-values,
// JSON lines of the intended values; logs go to stderr.
#include <csignal>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/stop_triggers.hpp"
#include "common/duration.hpp"
#include "sim/simulation.hpp"

namespace regpoll::app {
namespace {

namespace asio = boost::asio;

std::optional<std::chrono::milliseconds> duration_arg(const std::string& flag,
                                                      const std::string& text) {
    auto d = parse_duration(text);
    if (!d) {
        print_error(flag + ": " + d.error());
        return std::nullopt;
    }
    return *d;
}

// The one device of --profile, on --listen, with the fault flags.
std::optional<sim::SimConfig> config_from_flags(const SimulateArgs& a,
                                                profile::ProfileLibrary& library,
                                                profile::Diagnostics& diag) {
    sim::SimConfig config;
    sim::ListenerSpec listener;
    listener.uri = a.listen;
    auto address = sim::parse_listen_address(a.listen);
    if (!address) {
        print_error("--listen: " + address.error());
        return std::nullopt;
    }
    listener.address = *address;
    const auto delay = duration_arg("--delay", a.delay);
    const auto jitter = duration_arg("--jitter", a.jitter);
    if (!delay || !jitter) return std::nullopt;
    listener.faults.delay = *delay;
    listener.faults.jitter = *jitter;
    listener.faults.drop_rate = a.drop_rate;
    listener.faults.corrupt_rate = a.corrupt_rate;
    listener.faults.exception_rate = a.exception_rate;
    listener.faults.exception_code = static_cast<modbus::Errc>(a.exception_code);
    listener.faults.disconnect_rate = a.disconnect_rate;
    if (a.max_registers > 0) listener.max_registers = static_cast<std::uint16_t>(a.max_registers);
    if (a.single_connection) listener.single_connection = true;
    if (a.no_single_connection) listener.single_connection = false;
    config.listeners.push_back(listener);

    auto device = sim::device_from_profile(a.profile, static_cast<std::uint8_t>(a.unit), library, diag);
    if (!device) return std::nullopt;
    config.devices.push_back(std::move(*device));
    return config;
}

std::optional<sim::SimConfig> load_config(const SimulateArgs& a) {
    profile::ProfileLibrary library;
    profile::Diagnostics diag;
    std::optional<sim::SimConfig> config;
    if (!a.config.empty()) {
        auto loaded = sim::load_sim_config(a.config, library);
        diag = std::move(loaded.diagnostics);
        config = std::move(loaded.config);
    } else {
        config = config_from_flags(a, library, diag);
    }
    for (const auto& w : diag.warnings()) spdlog::warn("{}", w);
    for (const auto& e : diag.errors()) spdlog::error("{}", e);
    if (!config || !diag.ok()) return std::nullopt;
    if (!a.refresh.empty()) {
        auto refresh = duration_arg("--refresh", a.refresh);
        if (!refresh || refresh->count() <= 0) return std::nullopt;
        config->refresh = *refresh;
    }
    if (a.seed >= 0) config->seed = static_cast<std::uint64_t>(a.seed);
    return config;
}

// Simulated time: from now, or from --start-time today, running --speed times as fast.
std::optional<std::function<sim::SimTime()>> make_clock(const SimulateArgs& a,
                                                        const sim::LocalZone& zone) {
    sim::SimTime start = sim::SimClock::now();
    if (!a.start_time.empty()) {
        int hours = 0;
        int minutes = 0;
        char extra = 0;
        if (std::sscanf(a.start_time.c_str(), "%d:%d%c", &hours, &minutes, &extra) != 2 ||
            hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
            print_error("--start-time \"" + a.start_time + "\" is not a time of day such as 12:00");
            return std::nullopt;
        }
        const double now_hours = zone.hours(start);
        const double wanted = hours + minutes / 60.0;
        start += std::chrono::duration_cast<sim::SimClock::duration>(
            std::chrono::duration<double, std::ratio<3600>>(wanted - now_hours));
    }
    const double speed = a.speed;
    const auto real_start = std::chrono::steady_clock::now();
    return [start, speed, real_start] {
        const auto real =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start);
        return start + std::chrono::duration_cast<sim::SimClock::duration>(real * speed);
    };
}

void log_stats(const server::ServerStats& s) {
    spdlog::info(
        "sim: {} requests, {} replies ({} exceptions), {} unanswered, {} bad frames, {} "
        "connections, "
        "{} injected faults",
        s.requests, s.replies, s.exceptions, s.unanswered, s.bad_frames, s.connections,
        s.injected_faults);
}

}  // namespace

int run_simulate(const SimulateArgs& a) {
    if (!setup_logging(a.log_level)) {
        print_error("--log-level \"" + a.log_level +
                    "\" is not one of trace, debug, info, warn, error, off");
        return exit_usage;
    }
    if (!a.shine.empty()) return run_simulate_shine(a);
    if (a.config.empty() && a.profile.empty()) {
        print_error("give --profile (one device) or --config (a sim.json file)");
        return exit_usage;
    }
    auto config = load_config(a);
    if (!config) {
        print_error("nothing simulated (errors above)");
        return exit_usage;
    }
    sim::SimulationOptions options;
    options.freeze = a.freeze;
    options.dump_path = a.dump;
    options.print_values = a.print_values;
    auto clock = make_clock(a, options.zone);
    if (!clock) return exit_usage;
    options.clock = std::move(*clock);

    asio::io_context io;
    sim::Simulation simulation(io, std::move(*config), std::move(options));
    const auto problems = simulation.prepare();
    if (!problems.empty()) {
        print_error(
            "some values cannot be written (above); check the generators in the configuration");
        return exit_usage;
    }
    for (const auto& line : simulation.plan()) {
        if (line.starts_with("  ")) {
            spdlog::debug("sim: {}", line.substr(2));
        } else {
            spdlog::info("sim: {}", line);
        }
    }
    int status = exit_ok;
    std::function<void()> stop_all;
    StopTriggers triggers(io, a.seconds, [&] { stop_all(); });
    stop_all = [&] {
        simulation.stop();
        triggers.cancel();
    };
    simulation.set_failure_handler([&](const std::string& what) {
        spdlog::error("sim: {}", what);
        status = exit_failure;
        stop_all();
    });
    auto ready = simulation.start();
    if (!ready) {
        spdlog::error("sim: cannot listen on {}", ready.error());
        return exit_failure;
    }
    std::string lines;
    for (const auto& value : *ready) lines += "READY " + value + "\n";
    std::fwrite(lines.data(), 1, lines.size(), stdout);
    std::fflush(stdout);
    simulation.print_values();
    io.run();
    log_stats(simulation.stats());
    return status;
}

}  // namespace regpoll::app
