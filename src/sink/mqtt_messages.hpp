#pragma once
// Every MQTT message regpoll publishes, built as pure code from samples and the
// configuration: plain topics, the per-device state object, availability, the poller's
// status, Domoticz `domoticz/in` updates and Home Assistant discovery configs.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/value.hpp"
#include "poll/sample.hpp"
#include "poll/write_request.hpp"
#include "sink/mqtt_config.hpp"

namespace regpoll::sink {

// What a message is, for the outbox's drop policy (plain messages go first).
enum class MessageClass { plain, state, domoticz, availability, status, discovery };

struct Message {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retain = false;
    MessageClass cls = MessageClass::plain;
};

// Text of a value on a plain topic: numbers as written, booleans true/false, strings as
// they are, "not available" as null.
std::string plain_text(const codec::Value& v);

// The svalue/nvalue Domoticz needs for `type`, from the mapped points' values and units.
// nullopt when a value is missing or not available (nothing is published then).
struct DomoticzUpdate {
    int nvalue = 0;
    std::string svalue;
    std::optional<int> level;  // selector: sent as switchlight "Set Level"
    bool operator==(const DomoticzUpdate&) const = default;
};
std::optional<DomoticzUpdate> domoticz_update(DomoticzType type,
                                              std::span<const codec::Value> values,
                                              std::span<const std::string> units);

// A write asked for over MQTT: the point's command topic, or a Domoticz change.
struct WriteCommand {
    std::string device;
    std::string point;
    std::string payload;
    std::string origin;  // for the log: the topic, or "Domoticz idx 12"
};

// A selector's level (0, 10, 20, …) for a point value (its map text or raw number).
std::optional<int> selector_level(const DomoticzMapping& m, const codec::Value& value);

class MessageBuilder {
  public:
    MessageBuilder(MqttConfig config, std::shared_ptr<const profile::SiteConfig> site,
                   std::string version);

    // One device cycle's samples: plain topics, the device's state object (every point's
    // latest value), and the Domoticz mappings those samples feed. Buffered samples (a
    // Shine 0x50 record) give only {"ts":…,"buffered":true,…} on <base>/<device>/buffered.
    void samples(std::span<const poll::Sample> samples, std::vector<Message>& out);
    Message availability(const std::string& device, bool online) const;
    Message status(bool online) const;
    // Every device offline: said at a clean stop, so Home Assistant does not keep showing the
    // last values as current.
    std::vector<Message> all_offline() const;
    std::string status_topic() const {
        return config_.base_topic + "/status" + (config_.shard.empty() ? "" : "/" + config_.shard);
    }
    // Retained Home Assistant configs for every point of every device: writable points the
    // site allows to be written are a switch, number or select with a command topic.
    std::vector<Message> discovery() const;

    // Commands: the topic filters to subscribe to (none when "commands" is off).
    std::vector<std::string> command_filters() const;
    // The device and point of a command topic <base>/<device>/<point>/set.
    std::optional<std::pair<std::string, std::string>> command_target(
        const std::string& topic) const;
    // Whether a topic is domoticz/out or below it (Domoticz's Index, Name and floor/room
    // publish schemes: domoticz/out/<idx>, domoticz/out/<name>, domoticz/out/<floor>/<room>).
    bool is_domoticz_out(const std::string& topic) const;
    // A domoticz/out message as a write of its mapping's point; nullopt when it is not for a
    // switch, selector or setpoint mapping, or when it asks for the state the point already
    // has with no write of it waiting (`why` says which, for the log).
    std::optional<WriteCommand> domoticz_command(const std::string& payload,
                                                 std::string& why) const;
    // Writes on their way to a point, from any origin: while one is, no Domoticz command for
    // that point is taken for an echo.
    void write_started(const std::string& device, const std::string& point);
    void write_finished(const std::string& device, const std::string& point);
    // <base>/<device>/<point>/result: {"ok":true,"value":…} or {"ok":false,"error":"…"}.
    Message write_result(const std::string& device, const std::string& point,
                         const poll::WriteOutcome& outcome) const;
    const MqttConfig& config() const { return config_; }

  private:
    // The last value of each point of one device in 16 bytes a point where a codec::Value
    // takes 40 (1,000 devices of 30 points: 0.7 MB). Text values, rare among a device's
    // points, are kept beside the slots.
    class LastValues {
      public:
        explicit LastValues(std::size_t points) : slots_(points) {}
        std::size_t size() const { return slots_.size(); }
        bool seen(std::size_t i) const { return slots_[i].kind != Kind::unseen; }
        void set(std::size_t i, const codec::Value& v);
        codec::Value get(std::size_t i) const;  // monostate until the point was read

      private:
        enum class Kind : std::uint8_t { unseen, null, boolean, int64, uint64, real, text };
        static constexpr std::uint32_t no_text = UINT32_MAX;
        struct Slot {
            std::uint64_t bits = 0;         // the number's bits
            std::uint32_t text = no_text;   // the point's place among texts_
            Kind kind = Kind::unseen;
        };
        static_assert(sizeof(Slot) == 16);
        std::vector<Slot> slots_;
        std::vector<std::string> texts_;
    };
    // `"name":` of every point of a point list, escaped once, back to back, and where each
    // one ends: made once for a profile and shared by the devices that share its points
    // (1,000 devices of one model of 30 points: one string, not 1,000 or 30,000).
    struct PointKeys {
        std::string text;
        std::vector<std::uint32_t> ends;
        std::size_t ts_point = SIZE_MAX;  // a point named "ts" takes the place of the time
        std::string_view key(std::size_t i) const {
            const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
            return std::string_view(text).substr(begin, ends[i] - begin);
        }
    };
    struct DeviceCache {
        const profile::DeviceConfig* device = nullptr;
        LastValues values{0};  // parallel to device->points
        std::int64_t ts = 0;
        std::string prefix;                  // <base>/<device>/
        std::string state_topic;             // <base>/<device>/state
        std::shared_ptr<const PointKeys> keys;
        std::size_t state_size = 0;          // the last state text's length, to reserve
        std::size_t next = 0;                // where the next sample's point is looked for first
    };
    std::string state_text(DeviceCache& cache) const;
    struct Sent {
        DomoticzUpdate update;
        std::int64_t ts = 0;  // the samples' time, so the heartbeat runs in the poller's time
    };
    std::size_t point_index(const DeviceCache& cache, const std::string& point) const;
    Message buffered_state(const std::string& prefix, std::span<const poll::Sample> samples) const;
    void domoticz_messages(const DeviceCache& cache, const std::vector<bool>& updated,
                           std::vector<Message>& out);
    std::optional<DomoticzUpdate> domoticz_state(const DomoticzMapping& m,
                                                 const DeviceCache& cache) const;
    bool write_pending(const std::string& device, const std::string& point) const;

    MqttConfig config_;
    std::shared_ptr<const profile::SiteConfig> site_;
    std::string version_;
    std::map<std::string, DeviceCache> cache_;
    std::vector<std::optional<Sent>> domoticz_sent_;  // parallel to config_.domoticz
    std::map<std::pair<std::string, std::string>, int> writes_pending_;
};

}  // namespace regpoll::sink
