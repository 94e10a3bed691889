#include "poll/shine_settings.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>

#include <spdlog/spdlog.h>

#include "shine/commands.hpp"
#include "shine/settings.hpp"

namespace regpoll::poll {
namespace {

using transport::ShineCommandResult;
using transport::ShineListener;

constexpr std::int64_t clock_tolerance_s = 60;

// Reads one setting; `then` gets its text, or nothing (logged) when there is no answer.
void read_setting(const std::shared_ptr<ShineListener>& listener, const std::string& logger,
                  std::uint16_t item, std::function<void(const std::string&)> then) {
    listener->command(
        logger, {}, [item](const shine::CommandTarget& to) { return shine::build_config_read(to, item, item); },
        [logger, item, then = std::move(then)](ShineCommandResult r) {
            if (!r) return spdlog::warn("datalogger {}: reading setting {}: {}", logger, item, r.error().text);
            auto value = shine::parse_config_answer(*r);
            if (!value) return spdlog::warn("datalogger {}: the answer to reading setting {} does not parse", logger, item);
            then(value->value);
        });
}

// Writes one setting and logs the outcome: `change` says what it was and what it becomes.
void write_setting(const std::shared_ptr<ShineListener>& listener, const std::string& logger,
                   std::uint16_t item, const std::string& value, std::string change) {
    listener->command(
        logger, {}, [item, value](const shine::CommandTarget& to) { return shine::build_config_write(to, item, value); },
        [logger, item, value, change = std::move(change)](ShineCommandResult r) {
            if (!r) return spdlog::warn("datalogger {}: {}: not changed: {}", logger, change, r.error().text);
            auto status = shine::parse_config_write_answer(*r);
            if (!status || status->status != 0x00) {
                return spdlog::warn("datalogger {}: {}: the logger refused setting {} = \"{}\" (status {})", logger,
                                    change, item, value, status ? std::to_string(status->status) : "unreadable");
            }
            spdlog::info("datalogger {}: {}", logger, change);
        });
}

}  // namespace

shine::RecordTime logger_clock_now(std::optional<int> utc_offset_minutes) {
    const std::time_t now = std::time(nullptr);
    if (utc_offset_minutes) return shine::clock_from_seconds(now + std::int64_t{*utc_offset_minutes} * 60);
    std::tm tm{};
    localtime_r(&now, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

void align_datalogger_settings(const std::shared_ptr<ShineListener>& listener, const profile::DeviceConfig& device,
                               std::optional<int> utc_offset_minutes) {
    const auto& s = *device.shine;
    const std::string logger = s.datalogger;
    if (s.upload_interval_given) {
        const auto wanted = s.upload_interval;
        const std::string name = device.name;
        read_setting(listener, logger, shine::item_upload_interval, [=](const std::string& text) {
            auto has = shine::parse_minutes_text(text);
            // Whole seconds decide: "0.0167" minutes is the 1 s it stands for.
            if (has && (has->count() + 500) / 1000 == (wanted.count() + 500) / 1000) return;
            write_setting(listener, logger, shine::item_upload_interval, shine::minutes_text(wanted),
                          "upload interval changed from \"" + text + "\" to \"" + shine::minutes_text(wanted) +
                              "\" minutes (device " + name + "'s upload_interval)");
        });
    }
    if (s.set_clock) {
        read_setting(listener, logger, shine::item_clock, [=](const std::string& text) {
            const auto now = logger_clock_now(utc_offset_minutes);
            const auto has = shine::parse_clock_text(text);
            const auto off = has ? shine::clock_seconds(*has) - shine::clock_seconds(now) : 0;
            if (has && std::llabs(off) <= clock_tolerance_s) return;
            const auto wanted = shine::clock_text(now);
            write_setting(listener, logger, shine::item_clock, wanted,
                          "clock set from \"" + text + "\" (" + (has ? std::to_string(off) + " s off" : "unreadable") +
                              ") to \"" + wanted + "\"");
        });
    }
}

}  // namespace regpoll::poll
