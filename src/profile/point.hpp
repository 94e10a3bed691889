#pragma once
// The immutable result of loading: a point (one named value of a device), device limits,
// a profile (a model), and their validated form. Nothing here is parsed at poll time.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/format.hpp"
#include "codec/value.hpp"
#include "modbus/register_kind.hpp"
#include "profile/identify.hpp"
#include "profile/point_types.hpp"

namespace regpoll::profile {

using Milliseconds = std::chrono::milliseconds;

struct Point {
    std::string name;
    modbus::RegisterKind kind = modbus::RegisterKind::holding;
    std::uint16_t address = 0;
    codec::Format format;               // type, byte/word order, length, byte, scale, offset
    // Set when "type" names a decoder plugin's type: it decodes the registers (format.type
    // is then unused; scale and offset still apply to a numeric result).
    std::shared_ptr<const PointDecoder> decoder;
    std::optional<int> bit;             // 0-15: one bit of a 16-bit register, as a bool
    std::string scale_register;         // name of the point holding a power-of-ten exponent
    std::vector<std::uint64_t> nan;     // raw values (type width, after ordering) = n/a
    std::map<std::int64_t, std::string> map;  // raw value -> text
    std::map<int, std::string> bits;          // bit number -> name: the value is the set names
    std::optional<int> precision;
    std::string unit;
    std::string device_class;
    std::string state_class;
    std::string description;
    std::optional<Milliseconds> interval;  // overrides the device's interval
    bool writable = false;
    // "read": false: a write-only register (a charger's alive or fail-safe register that
    // answers reads with an exception). Never polled, never read back after a write.
    bool readable = true;
    std::optional<double> min;
    std::optional<double> max;
    std::optional<double> step;          // the smallest change a write makes (Home Assistant's number step)
    std::optional<int> write_function;   // 5, 6, 15, 16 or 22 instead of the default for the point
    std::string file;                   // where it was defined, for messages
    std::string json_path;
    std::string origin() const { return file + ": " + json_path; }

    // Registers (or bits) this point occupies.
    std::size_t width() const;
    // The "type" as configured: a codec type name or a decoder plugin's type.
    std::string type_label() const;
};

struct Limits {
    std::uint16_t max_registers = 125;
    std::uint16_t max_bits = 2000;
    std::uint16_t max_gap = 0;          // unmapped registers a read may bridge
    Milliseconds pause_after_connect{0};
    Milliseconds pause_between_requests{0};
    bool single_connection = false;
    // "write_watchdog": how long the device keeps a written setting before it falls back to
    // a safe value (chargers). Informative; a profile's keepalive periods must be shorter.
    std::optional<Milliseconds> write_watchdog;
};

// "keepalive": once a value has been written to `point`, it is written again every `every`
// while regpoll runs (until a newer value replaces it), for devices with a write watchdog.
// With a fixed `value` (an alive register: write 1) that value is written every period from
// the start of polling, whatever else is written to the point.
struct Keepalive {
    std::string point;
    Milliseconds every{0};
    std::optional<codec::Value> value;  // in engineering units, as a write payload means it
};

struct Profile {
    std::string file;
    std::string manufacturer;
    std::string model;
    std::string source;
    std::string protocol;
    std::string description;
    Limits limits;
    std::vector<Point> points;
    std::optional<Identify> identify;  // what tells this model apart (profile/identify.hpp)
    std::vector<Keepalive> keepalive;
};

}  // namespace regpoll::profile
