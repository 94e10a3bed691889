#pragma once
// How well a profile's "identify" block fits what a device showed: pure, no I/O. Every check
// that matches counts one; any check that fails (a wrong value, or an exception or timeout
// where the profile expects a register) rules the profile out. FC43 and SunSpec patterns
// count when the device answered them and are skipped when it did not (many devices, and
// most gateways, do not speak FC43). A profile fits when nothing failed and something matched.
#include <optional>
#include <string>
#include <vector>

#include "app/basic_identification.hpp"
#include "codec/value.hpp"
#include "modbus/register_kind.hpp"
#include "profile/identify.hpp"

namespace regpoll::app {

// A check point as read: its raw value (no map or bits applied), or why there is none.
struct CheckReading {
    modbus::RegisterKind kind = modbus::RegisterKind::holding;
    std::uint16_t address = 0;
    codec::Value value;  // monostate when `error` says why
    std::string error;   // "exception 2 (illegal data address)", "timeout", ...
};

// SunSpec model 1 of the device's first chain, when "SunS" answered.
struct SunspecIdentity {
    std::uint16_t base = 40000;
    std::string manufacturer, model;
};

struct Evidence {
    std::string what;      // "holding 0 device_type", "FC43 vendor", "SunSpec Mn"
    std::string value;     // what the device gave
    std::string expected;  // "5", "3 or 259", "/^SUN2000/"
    enum class Outcome { matched, failed, skipped } outcome = Outcome::matched;
};

struct Fit {
    bool fits = false;
    int score = 0;  // matched checks
    std::vector<Evidence> evidence;
    std::string reason;  // why it does not fit, when it does not
};

// `readings` parallels identify.checks.
Fit match_profile(const profile::Identify& identify, const std::vector<CheckReading>& readings,
                  const std::optional<BasicIdentification>& fc43,
                  const std::optional<SunspecIdentity>& sunspec);

}  // namespace regpoll::app
