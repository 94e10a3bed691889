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

// The points of a profile or a device. Devices on one profile share its list until one of
// them changes it (inline points): a thousand devices of one model hold one list, not a
// thousand copies of ~0.5 KB per point. Reads see a const std::vector<Point>; changes go
// through edit(), which copies a shared list first.
class PointList {
  public:
    PointList() = default;
    PointList(std::vector<Point> points) : v_(std::make_shared<std::vector<Point>>(std::move(points))) {}
    PointList(std::initializer_list<Point> points) : PointList(std::vector<Point>(points)) {}

    const std::vector<Point>& get() const { return v_ ? *v_ : no_points(); }
    operator const std::vector<Point>&() const { return get(); }
    std::size_t size() const { return get().size(); }
    bool empty() const { return get().empty(); }
    std::vector<Point>::const_iterator begin() const { return get().begin(); }
    std::vector<Point>::const_iterator end() const { return get().end(); }
    const Point& operator[](std::size_t i) const { return get()[i]; }
    const Point& front() const { return get().front(); }
    const Point& back() const { return get().back(); }
    const Point& at(std::size_t i) const { return get().at(i); }
    // This list alone, copied first if another profile or device shares it.
    std::vector<Point>& edit() {
        if (!v_)
            v_ = std::make_shared<std::vector<Point>>();
        else if (v_.use_count() > 1)
            v_ = std::make_shared<std::vector<Point>>(*v_);
        return *v_;
    }
    void push_back(Point p) { edit().push_back(std::move(p)); }
    // Whether two lists are one (shared), for tests and memory checks.
    bool shares_with(const PointList& other) const { return v_ && v_ == other.v_; }

  private:
    static const std::vector<Point>& no_points() {
        static const std::vector<Point> none;
        return none;
    }
    std::shared_ptr<std::vector<Point>> v_;
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
    PointList points;
    std::optional<Identify> identify;  // what tells this model apart (profile/identify.hpp)
    std::vector<Keepalive> keepalive;
};

}  // namespace regpoll::profile
