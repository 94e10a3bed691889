#pragma once
// The status file `regpoll run` keeps and `regpoll health` judges: is regpoll alive, and has
// any device answered lately? One JSON object, replaced atomically every few seconds:
//   {"pid":4711,"version":"0.1.0","config":"/etc/regpoll/regpoll.json","state":"polling",
//    "started_ms":1763632800123,"written_ms":1763632805123,
//    "devices":{"meter":{"online":true,"last_sample_ms":1763632804990,"interval_ms":5000}}}
// Times are Unix milliseconds; last_sample_ms is 0 until the device has answered.
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "poll/sample.hpp"
#include "profile/site_config.hpp"

namespace regpoll::app {

// Learns, from the samples flowing to the sinks, when each device last answered.
class StatusTracker final : public poll::SampleSink {
  public:
    // The devices of a (re)loaded configuration; a device that stays keeps its history.
    void set_devices(const profile::SiteConfig& config);
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string& device, bool online) override;

    // True once after a device answered for the first time or went online or offline.
    bool take_news();
    std::size_t devices() const { return devices_.size(); }
    std::size_t online() const;
    // The "devices" object of the status file.
    nlohmann::json devices_json() const;

  private:
    struct Device {
        bool online = false;
        std::int64_t last_sample_ms = 0;
        std::int64_t interval_ms = 0;  // the shortest polling interval of its points
    };
    // Hashed: looked up for every poll of every device (a map's ten string comparisons at
    // 1,000 devices); the status file's JSON object orders the names itself.
    std::unordered_map<std::string, Device> devices_;
    bool news_ = false;
};

// What the status file says about the process itself.
struct StatusHeader {
    long long pid = 0;
    std::string version;
    std::string config;
    std::string state;  // "polling" or "stopped"
    std::string shard;  // "2/3" for shard 2 of 3, "" when the site is not split
    std::int64_t started_ms = 0;
    std::int64_t written_ms = 0;
};

nlohmann::json status_json(const StatusHeader& header, const StatusTracker& tracker);

// Writes `text` to `path` through a temporary file in the same folder and a rename, so a
// reader sees the old file or the new one, never part of one. Returns "" or what failed.
std::string write_file_atomically(const std::string& path, const std::string& text);

struct HealthVerdict {
    bool healthy = false;
    std::string reason;  // one line
};

// Healthy when the status was written within `max_age` of `now_ms`, regpoll is polling, and
// at least one device is online and answered within max(`max_age`, twice its polling
// interval).
HealthVerdict judge_status(const nlohmann::json& status, std::int64_t now_ms,
                           std::chrono::milliseconds max_age);

// Where `regpoll run` keeps the status file when --status-file is not given: in systemd's
// RuntimeDirectory ($RUNTIME_DIRECTORY/status.json), else nowhere (""). `regpoll health`
// also looks in /run/regpoll/status.json, where the shipped units' RuntimeDirectory is.
// Shard 2 of 3 (`shard_tag` "2-3") keeps status-2-3.json, so shards on one host do not
// overwrite each other's.
std::string default_status_file_for_run(const std::string& shard_tag = "");
std::string default_status_file_for_health(const std::string& shard_tag = "");

std::int64_t unix_now_ms();

}  // namespace regpoll::app
