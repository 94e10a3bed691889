#include "sink/mqtt_messages.hpp"

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
    for (const auto& dev : site_->devices) {
        auto& c = cache_[dev.name];
        c.device = &dev;
        c.values.resize(dev.points.size());
        c.seen.resize(dev.points.size(), false);
        c.prefix = config_.base_topic + "/" + dev.name + "/";
        c.state_topic = c.prefix + "state";
        for (std::size_t i = 0; i < dev.points.size(); ++i) {
            c.keys.push_back(json_key(dev.points[i].name));
            if (dev.points[i].name == "ts") c.ts_point = i;
        }
    }
    domoticz_sent_.resize(config_.domoticz.size());
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
    if (cache.ts_point < cache.values.size() && cache.seen[cache.ts_point])
        json.value(cache.values[cache.ts_point]);
    else
        json.number(cache.ts);
    for (std::size_t i = 0; i < cache.values.size(); ++i) {
        if (!cache.seen[i] || i == cache.ts_point) continue;
        json.raw(",");
        json.raw(cache.keys[i]);
        json.value(cache.values[i]);
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
        cache.values[i] = s.value;
        cache.seen[i] = true;
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
