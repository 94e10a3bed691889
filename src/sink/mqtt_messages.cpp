#include "sink/mqtt_messages.hpp"

#include <bit>
#include <type_traits>

#include "codec/value.hpp"
#include "poll/value_json.hpp"
#include "sink/message_json.hpp"

// Plain topics, state, availability and commands; Domoticz messages are in
// domoticz_messages.cpp, Home Assistant discovery in ha_discovery.cpp.
namespace regpoll::sink {

std::string plain_text(const codec::Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return "null";
    if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return codec::format_value(v);
}

MessageBuilder::MessageBuilder(MqttConfig config, std::shared_ptr<const profile::SiteConfig> site,
                               std::string version)
    : config_(std::move(config)), site_(std::move(site)), version_(std::move(version)) {
    std::vector<const DeviceCache*> made;  // one device of each point list, with its keys
    for (const auto& dev : site_->devices) {
        auto& c = cache_[dev.name];
        c.device = &dev;
        c.values = LastValues(dev.points.size());
        c.prefix = config_.base_topic + "/" + dev.name + "/";
        c.state_topic = c.prefix + "state";
        for (const auto* other : made) {
            if (other->device->points.shares_with(dev.points)) {
                c.keys = other->keys;
                break;
            }
        }
        if (c.keys) continue;
        auto keys = std::make_shared<PointKeys>();
        keys->ends.reserve(dev.points.size());
        for (std::size_t i = 0; i < dev.points.size(); ++i) {
            keys->text += json_key(dev.points[i].name);
            keys->ends.push_back(static_cast<std::uint32_t>(keys->text.size()));
            if (dev.points[i].name == "ts") keys->ts_point = i;
        }
        keys->text.shrink_to_fit();
        c.keys = std::move(keys);
        made.push_back(&c);
    }
    domoticz_sent_.resize(config_.domoticz.size());
}

void MessageBuilder::LastValues::set(std::size_t i, const codec::Value& v) {
    Slot& slot = slots_[i];
    std::visit(
        [this, &slot](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                slot.kind = Kind::null;
            } else if constexpr (std::is_same_v<T, bool>) {
                slot.bits = x ? 1 : 0;
                slot.kind = Kind::boolean;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                slot.bits = std::bit_cast<std::uint64_t>(x);
                slot.kind = Kind::int64;
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
                slot.bits = x;
                slot.kind = Kind::uint64;
            } else if constexpr (std::is_same_v<T, double>) {
                slot.bits = std::bit_cast<std::uint64_t>(x);
                slot.kind = Kind::real;
            } else {
                static_assert(std::is_same_v<T, std::string>);
                // A point's first text takes a place among the texts and keeps it, unavailable
                // or not in between.
                if (slot.text == no_text) {
                    slot.text = static_cast<std::uint32_t>(texts_.size());
                    texts_.emplace_back();
                }
                texts_[slot.text] = x;
                slot.kind = Kind::text;
            }
        },
        v);
}

codec::Value MessageBuilder::LastValues::get(std::size_t i) const {
    const Slot& slot = slots_[i];
    switch (slot.kind) {
        case Kind::unseen:
        case Kind::null: return std::monostate{};
        case Kind::boolean: return slot.bits != 0;
        case Kind::int64: return std::bit_cast<std::int64_t>(slot.bits);
        case Kind::uint64: return slot.bits;
        case Kind::real: return std::bit_cast<double>(slot.bits);
        case Kind::text: return texts_[slot.text];
    }
    return std::monostate{};
}

// Samples come in the device's point order, so the point after the last one found is tried
// first (by address: samples point at the names of this same configuration).
std::size_t MessageBuilder::point_index(const DeviceCache& cache, const std::string& point) const {
    const auto& pts = cache.device->points;
    if (cache.next < pts.size() &&
        (&pts[cache.next].name == &point || pts[cache.next].name == point))
        return cache.next;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        if (pts[i].name == point) return i;
    }
    return pts.size();
}

// {"ts":…,"<point>":<value>,…} for every point read so far, in the device's point order:
// written straight into one string, as dump() of the same object would write it.
std::string MessageBuilder::state_text(DeviceCache& cache) const {
    std::string text;
    text.reserve(cache.state_size + 16);
    JsonAppender json(text);
    json.raw("{\"ts\":");
    const PointKeys& keys = *cache.keys;
    if (keys.ts_point < cache.values.size() && cache.values.seen(keys.ts_point))
        json.value(cache.values.get(keys.ts_point));
    else
        json.number(cache.ts);
    for (std::size_t i = 0; i < cache.values.size(); ++i) {
        if (!cache.values.seen(i) || i == keys.ts_point) continue;
        json.raw(",");
        json.raw(keys.key(i));
        json.value(cache.values.get(i));
    }
    json.raw("}");
    cache.state_size = text.size();
    return text;
}

void MessageBuilder::samples(std::span<const poll::Sample> samples, std::vector<Message>& out) {
    if (samples.empty()) return;
    auto it = cache_.find(*samples.front().device);
    if (it == cache_.end()) return;
    auto& cache = it->second;
    const std::string& prefix = cache.prefix;
    if (samples.front().buffered) {
        out.push_back(buffered_state(prefix, samples));
        return;
    }
    std::vector<bool> updated(cache.values.size(), false);
    for (const auto& s : samples) {
        const std::size_t i = point_index(cache, *s.point);
        if (i >= cache.values.size()) continue;
        cache.next = i + 1;
        cache.values.set(i, s.value);
        updated[i] = true;
        cache.ts = std::max(cache.ts, s.ts_ms);
        if (config_.plain_topics) {
            out.push_back({prefix + *s.point, plain_text(s.value), config_.qos,
                           config_.retain_plain, MessageClass::plain});
        }
    }
    cache.next = 0;
    if (config_.state_topic)
        out.push_back({cache.state_topic, state_text(cache), config_.qos, false, MessageClass::state});
    domoticz_messages(cache, updated, out);
}

// A buffered record's own object, on a topic of its own: the state topic is what Home
// Assistant shows as current, and plain topics and Domoticz carry current values only, so an
// hour-old record on any of them would overwrite a newer live value.
Message MessageBuilder::buffered_state(const std::string& prefix,
                                       std::span<const poll::Sample> samples) const {
    OJson state;
    state["ts"] = samples.front().ts_ms;
    state["buffered"] = true;
    for (const auto& s : samples) state[*s.point] = poll::value_to_json(s.value);
    return {prefix + "buffered", dump(state), config_.qos, false, MessageClass::state};
}

Message MessageBuilder::availability(const std::string& device, bool online) const {
    return {config_.base_topic + "/" + device + "/availability", online ? "online" : "offline",
            config_.qos, true, MessageClass::availability};
}

Message MessageBuilder::status(bool online) const {
    return {status_topic(), online ? "online" : "offline", config_.qos, true, MessageClass::status};
}

std::vector<Message> MessageBuilder::all_offline() const {
    std::vector<Message> out;
    for (const auto& dev : site_->devices) out.push_back(availability(dev.name, false));
    return out;
}

std::vector<std::string> MessageBuilder::command_filters() const {
    std::vector<std::string> out;
    if (!config_.commands) return out;
    out.push_back(config_.base_topic + "/+/+/set");
    for (const auto& m : config_.domoticz) {
        if (is_command_type(m.type)) {
            out.push_back(config_.domoticz_out_topic);
            out.push_back(config_.domoticz_out_topic + "/#");
            break;
        }
    }
    return out;
}

bool MessageBuilder::is_domoticz_out(const std::string& topic) const {
    return topic == config_.domoticz_out_topic ||
           topic.starts_with(config_.domoticz_out_topic + "/");
}

std::optional<std::pair<std::string, std::string>> MessageBuilder::command_target(
    const std::string& topic) const {
    const std::string prefix = config_.base_topic + "/";
    const std::string suffix = "/set";
    if (topic.size() <= prefix.size() + suffix.size() || !topic.starts_with(prefix) ||
        !topic.ends_with(suffix)) {
        return std::nullopt;
    }
    const auto middle = topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
    const auto slash = middle.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == middle.size() ||
        middle.find('/', slash + 1) != std::string::npos) {
        return std::nullopt;
    }
    return std::make_pair(middle.substr(0, slash), middle.substr(slash + 1));
}

Message MessageBuilder::write_result(const std::string& device, const std::string& point,
                                     const poll::WriteOutcome& outcome) const {
    OJson j;
    poll::add_write_outcome(outcome, j);
    return {config_.base_topic + "/" + device + "/" + point + "/result", dump(j), config_.qos,
            false, MessageClass::state};
}

void MessageBuilder::write_started(const std::string& device, const std::string& point) {
    ++writes_pending_[{device, point}];
}

void MessageBuilder::write_finished(const std::string& device, const std::string& point) {
    auto it = writes_pending_.find({device, point});
    if (it != writes_pending_.end() && --it->second <= 0) writes_pending_.erase(it);
}

bool MessageBuilder::write_pending(const std::string& device, const std::string& point) const {
    return writes_pending_.count({device, point}) > 0;
}

}  // namespace regpoll::sink
