#pragma once
// After an announce, the datalogger's own settings are brought in line with the device's
// configuration: its upload interval (item 4) when the device sets "upload_interval" and the
// logger reports another, and its clock (item 31) when it is more than 60 s off the host's
// time in the bus's zone, unless the device says "set_clock": false. What changed is logged.
#include <memory>
#include <optional>

#include "profile/site_config.hpp"
#include "transport/shine_listener.hpp"

namespace regpoll::poll {

// Starts the reads (0x19) and, where needed, writes (0x18) through the logger's connection;
// they run on after this returns. `utc_offset_minutes`: the bus's zone (none: the host's).
void align_datalogger_settings(const std::shared_ptr<transport::ShineListener>& listener,
                               const profile::DeviceConfig& device,
                               std::optional<int> utc_offset_minutes);

// The logger's local clock as it should read now, in the bus's zone (none: the host's).
shine::RecordTime logger_clock_now(std::optional<int> utc_offset_minutes);

}  // namespace regpoll::poll
