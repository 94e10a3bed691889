#include "app/status_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/duration.hpp"

namespace regpoll::app {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void StatusTracker::set_devices(const profile::SiteConfig& config) {
    decltype(devices_) next;
    for (const auto& d : config.devices) {
        Device device;
        if (auto it = devices_.find(d.name); it != devices_.end()) device = it->second;
        auto shortest = d.interval;
        for (const auto& p : d.points)
            shortest = std::min(shortest, p.interval.value_or(d.interval));
        device.interval_ms = shortest.count();
        next.emplace(d.name, device);
    }
    devices_ = std::move(next);
}

void StatusTracker::on_samples(std::span<const poll::Sample> samples) {
    const std::string* last = nullptr;
    for (const auto& s : samples) {
        if (!s.device || s.device == last) continue;  // a batch holds one device's samples
        last = s.device;
        auto it = devices_.find(*s.device);
        if (it == devices_.end()) continue;
        if (it->second.last_sample_ms == 0) news_ = true;
        it->second.last_sample_ms = std::max(it->second.last_sample_ms, s.ts_ms);
    }
}

void StatusTracker::on_availability(const std::string& device, bool online) {
    auto it = devices_.find(device);
    if (it == devices_.end() || it->second.online == online) return;
    it->second.online = online;
    news_ = true;
}

bool StatusTracker::take_news() {
    return std::exchange(news_, false);
}

std::size_t StatusTracker::online() const {
    return static_cast<std::size_t>(std::count_if(devices_.begin(), devices_.end(),
                                                  [](const auto& d) { return d.second.online; }));
}

Json StatusTracker::devices_json() const {
    Json out = Json::object();
    for (const auto& [name, d] : devices_) {
        out[name] = {{"online", d.online},
                     {"last_sample_ms", d.last_sample_ms},
                     {"interval_ms", d.interval_ms}};
    }
    return out;
}

Json status_json(const StatusHeader& h, const StatusTracker& tracker) {
    Json out{{"pid", h.pid},
             {"version", h.version},
             {"config", h.config},
             {"state", h.state},
             {"started_ms", h.started_ms},
             {"written_ms", h.written_ms},
             {"devices", tracker.devices_json()}};
    if (!h.shard.empty()) out["shard"] = h.shard;
    return out;
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    // 0644 whatever the umask (the unit's UMask=0027): the file holds no secret, and
    // `regpoll health` is run by admins and monitoring agents, not only by regpoll's user.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::fchmod(fd, 0644) != 0) {
        const std::string error = "cannot write \"" + tmp + "\": " + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return error;
    }
    std::FILE* f = ::fdopen(fd, "w");
    if (!f) {
        ::close(fd);
        return "cannot write \"" + tmp + "\": " + std::strerror(errno);
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int write_errno = errno;
    if (std::fclose(f) != 0 || !written) {
        std::remove(tmp.c_str());
        return "cannot write \"" + tmp + "\": " + std::strerror(written ? errno : write_errno);
    }
    // No fsync: the file says what is happening now and lives on a tmpfs (/run); after a
    // crash a stale or missing file is the truth anyway.
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string error =
            "cannot rename \"" + tmp + "\" to \"" + path + "\": " + std::strerror(errno);
        std::remove(tmp.c_str());
        return error;
    }
    return "";
}

namespace {

std::string age_text(std::int64_t ms) {
    if (ms < 1000) return "<1s";
    if (ms < 120'000) return std::to_string(ms / 1000) + "s";
    if (ms < 7'200'000) return std::to_string(ms / 60'000) + "m";
    return std::to_string(ms / 3'600'000) + "h";
}

const Json* member(const Json& j, const char* key, Json::value_t type) {
    auto it = j.find(key);
    if (it == j.end()) return nullptr;
    if (it->type() == type) return &*it;
    // Integers may come back signed or unsigned.
    if (type == Json::value_t::number_integer && it->is_number_unsigned()) return &*it;
    return nullptr;
}

}  // namespace

HealthVerdict judge_status(const Json& status, std::int64_t now_ms,
                           std::chrono::milliseconds max_age) {
    using T = Json::value_t;
    const Json* written =
        status.is_object() ? member(status, "written_ms", T::number_integer) : nullptr;
    const Json* state = written ? member(status, "state", T::string) : nullptr;
    const Json* devices = state ? member(status, "devices", T::object) : nullptr;
    if (!devices) return {false, "not a regpoll status file (needs written_ms, state and devices)"};
    const auto pid = status.value("pid", 0LL);
    const auto process = "regpoll (pid " + std::to_string(pid) + ")";
    // A clock set back since the file was written makes it look younger, never negative.
    const auto age = std::max<std::int64_t>(0, now_ms - written->get<std::int64_t>());
    if (state->get<std::string>() == "stopped")
        return {false, process + " stopped " + age_text(age) + " ago"};
    if (age > max_age.count()) {
        return {false, "the status is " + age_text(age) + " old (more than " +
                           format_duration(max_age) + "): " + process +
                           " is not running or is stuck"};
    }
    std::size_t answering = 0;
    std::string silent;
    std::size_t listed = 0;
    for (const auto& [name, d] : devices->items()) {
        if (!d.is_object())
            return {false, "not a regpoll status file (devices/" + name + " is not an object)"};
        const auto online = d.value("online", false);
        const auto last = d.value("last_sample_ms", std::int64_t{0});
        const auto window =
            std::max<std::int64_t>(max_age.count(), 2 * d.value("interval_ms", std::int64_t{0}));
        if (online && last > 0 && now_ms - last <= window) {
            ++answering;
        } else if (listed++ < 3) {
            silent += (silent.empty() ? "" : ", ") + name + ": " + (online ? "" : "offline, ") +
                      (last > 0 ? "last answer " +
                                      age_text(std::max<std::int64_t>(0, now_ms - last)) + " ago"
                                : "never answered");
        }
    }
    const auto total = devices->size();
    if (answering == 0) {
        if (total == 0) return {false, process + " polls no devices"};
        if (listed > 3) silent += ", ...";
        return {false, "no device answered lately (" + std::to_string(total) + " devices; " +
                           silent + ")"};
    }
    return {true, process + " is polling: " + std::to_string(answering) + " of " +
                      std::to_string(total) + " devices answering, status " + age_text(age) +
                      " old"};
}

namespace {

std::string status_file_name(const std::string& shard_tag) {
    return shard_tag.empty() ? "status.json" : "status-" + shard_tag + ".json";
}

}  // namespace

std::string default_status_file_for_run(const std::string& shard_tag) {
    const char* dirs = std::getenv("RUNTIME_DIRECTORY");
    if (!dirs || !*dirs) return "";
    // Several RuntimeDirectory= entries arrive colon-separated; the first is ours.
    const std::string first(dirs, std::strcspn(dirs, ":"));
    return (fs::path(first) / status_file_name(shard_tag)).string();
}

std::string default_status_file_for_health(const std::string& shard_tag) {
    auto path = default_status_file_for_run(shard_tag);
    return path.empty() ? "/run/regpoll/" + status_file_name(shard_tag) : path;
}

}  // namespace regpoll::app
