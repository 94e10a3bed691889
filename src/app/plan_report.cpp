#include "app/plan_report.hpp"

#include <cstdio>
#include <map>

#include "common/duration.hpp"
#include "plan/block_planner.hpp"
#include "plan/bus_time.hpp"

namespace regpoll::app {
namespace {

std::string ms(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", seconds * 1000);
    return buf;
}

}  // namespace

PlanReport plan_report(const profile::SiteConfig& config, bool verbose) {
    PlanReport report;
    std::map<std::string, double> bus_load;
    std::size_t total_requests = 0, total_registers = 0;
    for (const auto& dev : config.devices) {
        const auto* bus = config.bus(dev.bus);
        auto plan = plan::plan_device(dev.points, dev.interval, dev.limits);
        total_requests += plan.requests();
        total_registers += plan.registers();
        std::string line = "device " + dev.name + " (" + (dev.manufacturer.empty() ? "inline" : dev.manufacturer + " " + dev.model) +
                           ") on " + dev.bus + " unit " + std::to_string(dev.unit) + ": " +
                           std::to_string(dev.points.size()) + " points, " + std::to_string(plan.requests()) +
                           " requests touching " + std::to_string(plan.registers()) + " registers per cycle";
        auto serial = plan::line_settings(bus->uri);
        if (serial) {
            line += ", " + ms(plan::cycle_wire_seconds(plan, *serial)) + " on the wire per cycle";
            bus_load[dev.bus] += plan::line_utilisation(plan, *serial);
        }
        report.lines.push_back(line);
        if (!verbose) continue;
        for (const auto& g : plan.groups) {
            report.lines.push_back("  every " + format_duration(g.interval) + ": " + std::to_string(g.points.size()) +
                                   " points in " + std::to_string(g.blocks.size()) + " requests");
            for (const auto& b : g.blocks) {
                std::string names;
                for (std::size_t p : b.points) names += (names.empty() ? "" : " ") + dev.points[p].name;
                report.lines.push_back("    " + std::string(modbus::register_kind_name(b.kind)) + " " +
                                       std::to_string(b.address) + "+" + std::to_string(b.count) + ": " + names);
            }
        }
    }
    for (const auto& [bus, load] : bus_load) {
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.0f%%", load * 100);
        report.lines.push_back("bus " + bus + ": the plan needs " + pct + " of the line's time");
        if (load > 1.0) {
            report.warnings.push_back("bus " + bus + " cannot keep up: its devices need " + pct +
                                      " of the line's time at their intervals (raise intervals, or the baud rate)");
        }
    }
    report.lines.push_back(std::to_string(config.devices.size()) + " devices on " + std::to_string(config.buses.size()) +
                           " buses: " + std::to_string(total_requests) + " requests touching " +
                           std::to_string(total_registers) + " registers per cycle of every interval");
    return report;
}

}  // namespace regpoll::app
