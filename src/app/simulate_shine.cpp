// regpoll simulate --shine tcp://host:port: one simulated Growatt Shine datalogger carrying
// one inverter (--profile, laid out in its family's blocks) that dials a server. stdout:
// "READY shine <datalogger>" once, and with --print-values one JSON line of the values per
// record taken; logs go to stderr.
#include <cstdio>

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

    const auto zone = sim::LocalZone::system();
    sim::SimDevice device(*device_spec, zone, a.seed >= 0 ? static_cast<std::uint64_t>(a.seed) : 1);
    server::UnitTables tables;
    device.attach(tables);
    for (const auto& b : spec->input_blocks) tables.map(modbus::RegisterKind::input, b.first, b.count);
    for (const auto& b : spec->holding_blocks)
        tables.map(modbus::RegisterKind::holding, b.first, b.count);
    spdlog::info("sim: datalogger {} (protocol {}) with inverter {} ({}) dials {}:{} every {} ms; "
                 "input blocks {}, holding blocks {}",
                 spec->datalogger, spec->protocol, spec->inverter, a.profile, spec->host, spec->port,
                 spec->upload_interval.count(), blocks_text(spec->input_blocks),
                 blocks_text(spec->holding_blocks));

    bool refreshed = false;
    auto refresh = [&](sim::SimTime t) {
        if (a.freeze && refreshed) return;
        std::vector<std::string> problems;
        device.refresh(t, tables, problems);
        for (const auto& p : problems) spdlog::warn("sim: {}", p);
        refreshed = true;
        if (!a.print_values) return;
        nlohmann::ordered_json line;
        line["ts"] = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
        line["name"] = device.name();
        line["datalogger"] = spec->datalogger;
        nlohmann::ordered_json values = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < device.points().size() && i < device.intended().size(); ++i)
            values[device.points()[i].name] = poll::value_to_json(device.intended()[i]);
        line["values"] = std::move(values);
        const auto text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    };

    asio::io_context io;
    sim::ShineStick stick(io, *spec, tables, refresh, [] { return sim::SimClock::now(); }, zone);
    StopTriggers triggers(io, a.seconds, [&] {
        stick.stop();
        triggers.cancel();
    });
    const std::string ready = "READY shine " + spec->datalogger + "\n";
    std::fwrite(ready.data(), 1, ready.size(), stdout);
    std::fflush(stdout);
    stick.start();
    io.run();
    const auto s = stick.stats();
    spdlog::info("sim: {} connects, {} records sent ({} again after no ack), {} acked, {} kept as "
                 "buffered, {} discarded",
                 s.connects, s.sent, s.resent, s.acked, s.buffered, s.discarded);
    return exit_ok;
}

}  // namespace regpoll::app
