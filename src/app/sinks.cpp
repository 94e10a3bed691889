#include "app/sinks.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/value_json.hpp"

namespace regpoll::app {

void JsonlSink::on_samples(std::span<const poll::Sample> samples) {
    std::string out;
    for (const auto& s : samples) {
        nlohmann::ordered_json j;
        j["ts"] = s.ts_ms;
        j["device"] = *s.device;
        j["point"] = *s.point;
        j["value"] = value_to_json(s.value);
        j["unit"] = *s.unit;
        j["quality"] = poll::quality_name(s.quality);
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
