#include "poll/kept_value.hpp"

#include <algorithm>

namespace regpoll::poll {
namespace {

// The same value written to `a` and to `b` reaches the device as the same request.
bool writes_alike(const profile::Point& a, const profile::Point& b) {
    const auto& f = a.format;
    const auto& g = b.format;
    return a.kind == b.kind && a.address == b.address && f.type == g.type && f.byte_order == g.byte_order &&
           f.word_order == g.word_order && f.length == g.length && f.byte == g.byte && f.scale == g.scale &&
           f.offset == g.offset && a.decoder == b.decoder && a.bit == b.bit && a.scale_register == b.scale_register &&
           a.write_function == b.write_function && a.min == b.min && a.max == b.max;
}

}  // namespace

std::optional<std::string> kept_value_refusal(const KeptValue& kept, const profile::DeviceConfig& dev) {
    if (dev.bus != kept.bus) return "the device is now on bus " + dev.bus + ", not " + kept.bus;
    if (dev.unit != kept.unit) return "the device is now unit " + std::to_string(dev.unit);
    auto p = std::find_if(dev.points.begin(), dev.points.end(),
                          [&](const profile::Point& q) { return q.name == kept.point.name; });
    if (p == dev.points.end()) return std::string("the point is gone");
    if (!p->writable || !dev.allows_write(*p)) return std::string("the point may no longer be written");
    if (!writes_alike(*p, kept.point))
        return std::string("the point changed (its register, type, scale, write function or range)");
    return std::nullopt;
}

}  // namespace regpoll::poll
