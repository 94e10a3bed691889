#pragma once
// A value written to a kept-alive point, as a configuration reload hands it from the old
// poller to the new one, and whether the new configuration may go on rewriting it.
#include <cstdint>
#include <optional>
#include <string>

#include "codec/value.hpp"
#include "profile/site_config.hpp"

namespace regpoll::poll {

struct KeptValue {
    std::string device;
    std::string bus;
    std::uint8_t unit = 0;
    profile::Point point;  // as the old configuration had it
    codec::Value value;    // in engineering units, as written
};

// Why the new configuration's device `dev` must not go on rewriting `kept` (it moved to
// another bus or unit, the point is gone, no longer writable or allowed, or is now another
// register, type, scale or range); nullopt when the value stays.
std::optional<std::string> kept_value_refusal(const KeptValue& kept, const profile::DeviceConfig& dev);

}  // namespace regpoll::poll
