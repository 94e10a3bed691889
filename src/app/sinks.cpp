#include "app/sinks.hpp"

#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "poll/value_json.hpp"
#include "profile/site_config.hpp"

namespace regpoll::app {

void JsonlSink::on_samples(std::span<const poll::Sample> samples) {
    std::string out;
    for (const auto& s : samples) {
        nlohmann::ordered_json j;
        j["ts"] = s.ts_ms;
        j["device"] = *s.device;
        j["point"] = *s.point;
        j["value"] = poll::value_to_json(s.value);
        j["unit"] = *s.unit;
        j["quality"] = poll::quality_name(s.quality);
        if (s.buffered) j["buffered"] = true;
        // Text from a device may be any bytes: replace what is not UTF-8 rather than fail.
        out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
}

void LogSink::on_samples(std::span<const poll::Sample> samples) {
    if (samples.empty()) return;
    std::string line = *samples.front().device + ":";
    for (const auto& s : samples) {
        line += " " + *s.point + "=" + codec::format_value(s.value);
        if (!s.unit->empty()) line += " " + *s.unit;
    }
    spdlog::info("{}", line);
}

}  // namespace regpoll::app

namespace regpoll::app {

void TableSink::use_site(const profile::SiteConfig& site) {
    precision_.clear();
    for (const auto& device : site.devices) {
        for (const auto& point : device.points) {
            if (point.precision) precision_[device.name][point.name] = *point.precision;
        }
    }
}

std::string TableSink::format(const poll::Sample& s) const {
    const auto* number = std::get_if<double>(&s.value);
    if (!number) return codec::format_value(s.value);
    const auto device = precision_.find(*s.device);
    if (device == precision_.end()) return codec::format_value(s.value);
    const auto point = device->second.find(*s.point);
    if (point == device->second.end()) return codec::format_value(s.value);
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", point->second, *number);
    return text;
}

void TableSink::on_samples(std::span<const poll::Sample> samples) {
    for (const auto& s : samples) rows_[*s.device][*s.point] = Row{format(s), *s.unit};
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ >= std::chrono::milliseconds(250)) {
        last_draw_ = now;
        draw();
    }
}

void TableSink::on_availability(const std::string& device, bool online) {
    online_[device] = online;
    draw();
}

void TableSink::draw() {
    std::string out = "\x1b[H\x1b[2J";  // home, clear screen
    char stamp[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&t));
    out += std::string("regpoll  ") + stamp + "  (Ctrl-C stops)\n";
    for (const auto& [device, points] : rows_) {
        auto it = online_.find(device);
        out += "\n" + device + (it == online_.end() ? "" : it->second ? "  [online]" : "  [OFFLINE]") + "\n";
        for (const auto& [point, row] : points) {
            char line[160];
            std::snprintf(line, sizeof line, "  %-28s %16s %s\n", point.c_str(), row.value.c_str(), row.unit.c_str());
            out += line;
        }
    }
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
}

}  // namespace regpoll::app
