// regpoll write -c SITE --device D --point P VALUE: one point written through its profile,
// with the checks and the encoder that MQTT, Domoticz and Home Assistant writes use, then
// read back. A device behind a Shine datalogger is written through the datalogger's own
// connection, once it has dialled in.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/shine_write_link.hpp"
#include "app/sunspec_site.hpp"
#include "common/duration.hpp"
#include "modbus/frame_dump.hpp"
#include "poll/point_writer.hpp"
#include "poll/value_json.hpp"
#include "profile/site_config.hpp"
#include "transport/link_factory.hpp"

namespace regpoll::app {

int run_write_point(const WriteArgs& a) {
    if (!a.raw_options.empty()) {
        std::string names;
        for (const auto& n : a.raw_options) names += (names.empty() ? "" : ", ") + n;
        print_error(names + ": with -c the point's profile says how and where to write (give --device and --point)");
        return exit_usage;
    }
    if (a.device.empty() || a.point.empty()) {
        print_error("-c needs --device and --point");
        return exit_usage;
    }
    if (a.values.size() != 1) {
        print_error("-c writes one point: give exactly one VALUE (found " + std::to_string(a.values.size()) + ")");
        return exit_usage;
    }
    profile::ProfileLibrary library;
    library.set_sunspec_source(sunspec_source(false));  // SunSpec devices from their cache
    auto loaded = profile::load_site_config(a.config, library);
    if (!loaded.config) {
        for (const auto& e : loaded.diagnostics.errors()) std::cerr << e << "\n";
        print_error("the configuration has errors (listed above); nothing written");
        return exit_usage;
    }
    const auto& site = *loaded.config;
    const auto* dev = site.device(a.device);
    if (!dev) {
        print_error("no device \"" + a.device + "\" in " + a.config);
        return exit_usage;
    }
    const auto* point = dev->point(a.point);
    if (!point) {
        print_error("device " + dev->name + " has no point \"" + a.point + "\"");
        return exit_usage;
    }
    if (auto why = poll::write_refusal(*dev, *point)) {
        print_error(*why);
        return exit_usage;
    }
    auto value = poll::parse_write_payload(*point, a.values[0]);
    if (!value) {
        print_error(value.error());
        return exit_usage;
    }
    if (auto why = poll::check_write_range(*point, *value)) {
        print_error(*why);
        return exit_usage;
    }
    const auto* bus = site.bus(dev->bus);
    auto timeout = bus->timeout;
    if (!a.link.timeout.empty() && a.link.timeout != "1s") {
        auto t = parse_duration(a.link.timeout);
        if (!t || t->count() <= 0) {
            print_error("--timeout \"" + a.link.timeout + "\" is not a duration such as 500ms or 2s");
            return exit_usage;
        }
        timeout = *t;
    }

    boost::asio::io_context io;
    transport::LinkOptions options;
    options.tcp.connect_timeout = std::max(timeout, transport::Milliseconds(3000));
    options.tcp.pause_after_connect = dev->limits.pause_after_connect;
    options.tcp.pause_between_requests = dev->limits.pause_between_requests;
    options.log = [debug = a.link.debug](transport::LogLevel level, const std::string& text) {
        if (level == transport::LogLevel::warning) print_error("warning: " + text);
        else if (debug) print_error(text);
    };
    std::shared_ptr<transport::ShineListener> listener;  // a device behind a Shine datalogger
    Expected<std::shared_ptr<transport::Link>, std::string> link = Unexpected{std::string()};
    if (dev->shine) {
        auto wait = parse_duration(a.wait);
        if (!wait || wait->count() <= 0) {
            print_error("--wait \"" + a.wait + "\" is not a duration such as 30s or 5m");
            return exit_usage;
        }
        // The listener's news (who connected, what it waits for) is what the user waits on.
        const transport::LogFn shine_log = [debug = a.link.debug](transport::LogLevel level, const std::string& text) {
            if (level != transport::LogLevel::debug || debug) print_error(text);
        };
        auto connected = connect_shine_device(io, *bus, *dev, *wait, shine_log);
        if (!connected) {
            print_error(connected.error());
            return exit_failure;
        }
        listener = connected->listener;
        link = connected->link;
    } else {
        link = transport::make_link(io, bus->uri, options);
    }
    if (!link) {
        print_error("bus " + bus->name + ": " + link.error());
        return exit_usage;
    }
    if (a.link.debug) {
        (*link)->set_trace([](bool tx, modbus::Framing framing, std::span<const std::uint8_t> adu) {
            std::cerr << (tx ? "Tx " : "Rx ") << modbus::dump_frame(framing, adu) << "\n";
        });
    }
    poll::WriteOutcome outcome;
    poll::WriteTarget target{*link, dev->unit, timeout, dev, point};
    if (auto error = poll::write_point(target, *value, [&](poll::WriteOutcome out) {
            outcome = std::move(out);
            (*link)->close();
            if (listener) listener->close();
        })) {
        print_error(*error);
        return exit_usage;
    }
    io.run();

    if (a.json) {
        nlohmann::ordered_json out;
        out["device"] = dev->name;
        out["point"] = point->name;
        poll::add_write_outcome(outcome, out);
        std::cout << out.dump() << "\n";
    } else if (outcome.ok) {
        std::cout << "wrote " << a.values[0] << " to " << dev->name << "/" << point->name;
        if (outcome.read_back) {
            std::cout << "; read back " << codec::format_value(outcome.value) << (point->unit.empty() ? "" : " " + point->unit);
        } else {
            std::cout << " (write-only: not read back)";
        }
        std::cout << "\n";
        if (!outcome.warning.empty()) print_error("warning: " + outcome.warning);
    }
    if (!outcome.ok) {
        if (!a.json) print_error(dev->name + "/" + point->name + ": " + outcome.error);
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace regpoll::app
