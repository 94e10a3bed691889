// regpoll validate: load → validate → compile, print the plan or every error (exit 2).
#include <iostream>

#include "app/commands.hpp"
#include "app/plan_report.hpp"
#include "app/session.hpp"
#include "app/site_loader.hpp"
#include "profile/site_shard.hpp"

namespace regpoll::app {
namespace {

// "shard 2/3: 101 of 300 devices", then one line per device it takes: the list a poller
// started with the same shard polls.
std::vector<std::string> shard_lines(const profile::SiteConfig& config) {
    const auto& shard = *config.shard;
    const auto prefix = "shard " + shard.text() + ": ";
    std::vector<std::string> lines{prefix + std::to_string(config.devices.size()) + " of " +
                                   std::to_string(config.devices.size() + config.elsewhere.size()) +
                                   " devices"};
    for (const auto& d : config.devices) {
        const auto* bus = config.bus(d.bus);
        const bool whole_bus = bus && profile::bus_takes_one_master(config, *bus);
        lines.push_back(prefix + "device " + d.name +
                        (whole_bus ? " (with its bus " + d.bus + ")" : ""));
    }
    return lines;
}

}  // namespace

int run_validate(const ValidateArgs& a) {
    std::optional<profile::Shard> shard;
    if (!shard_arg(a.shard, shard)) return exit_usage;
    auto loaded = load_site(a.config, false, shard);
    for (const auto& w : loaded.diagnostics.warnings()) std::cerr << "warning: " << w << "\n";
    if (!loaded.site) {
        for (const auto& e : loaded.diagnostics.errors()) std::cerr << e << "\n";
        std::cerr << "regpoll: " << loaded.diagnostics.errors().size() << " error"
                  << (loaded.diagnostics.errors().size() == 1 ? "" : "s") << " in " << a.config << "\n";
        return exit_usage;
    }
    auto report = plan_report(*loaded.site->config, true);
    if (loaded.site->config->shard) {
        auto lines = shard_lines(*loaded.site->config);
        report.lines.insert(report.lines.begin(), lines.begin(), lines.end());
    }
    if (loaded.site->mqtt) {
        const auto& m = *loaded.site->mqtt;
        report.lines.push_back("mqtt: " + m.broker + " as " + m.client_id + ", topics under " + m.base_topic + "/" +
                               (m.homeassistant ? ", Home Assistant discovery under " + m.discovery_prefix + "/" : "") +
                               (m.domoticz.empty() ? "" : ", " + std::to_string(m.domoticz.size()) + " Domoticz devices on " + m.domoticz_topic));
    }
    if (const auto& pg = loaded.site->postgres) {
        report.lines.push_back("postgres: connection string from " + pg->conninfo_source + ", a COPY every " +
                               std::to_string(pg->flush_interval.count()) + " ms, outbox " + pg->outbox_path +
                               " (at most " + std::to_string(pg->outbox_max_samples) + " samples), retention " +
                               (pg->retention.count() ? std::to_string(pg->retention.count() / 86'400'000) + " days"
                                                      : std::string("forever")));
    }
    // What home automation may write, and where it asks.
    for (const auto& dev : loaded.site->config->devices) {
        std::string names;
        for (const auto& p : dev.points) {
            if (dev.allows_write(p)) names += (names.empty() ? "" : ", ") + p.name;
        }
        if (names.empty()) continue;
        std::string where = "regpoll write -c only (no mqtt section)";
        if (loaded.site->mqtt) {
            const auto& m = *loaded.site->mqtt;
            where = m.commands ? "commands on " + m.base_topic + "/" + dev.name + "/<point>/set" : "mqtt commands are off";
        }
        report.lines.push_back("writes: device " + dev.name + ": " + names + " (" + where + ", at most one per point every " +
                               std::to_string(dev.write_interval.count()) + " ms)");
    }
    for (const auto& g : loaded.site->gateways) report.lines.push_back(gateway::describe(g, *loaded.site->config));
    if (const auto& h = loaded.site->http) report.lines.push_back(web::describe(*h));
    if (loaded.site->plugins) {
        // Loaded and checked; sinks are only opened by `regpoll run` (opening has effects).
        for (const auto& line : loaded.site->plugins->summary()) report.lines.push_back(line);
    }
    if (!a.quiet) {
        for (const auto& line : report.lines) std::cout << line << "\n";
    }
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << "\n";
    if (!a.quiet) std::cout << a.config << ": OK\n";
    return exit_ok;
}

}  // namespace regpoll::app
