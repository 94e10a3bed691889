#pragma once
// Messages waiting for the broker, on disk (SQLite), oldest first. Bounded: when full, the
// oldest plain-topic messages go first, then state and Domoticz updates; availability,
// status and discovery messages are kept. What the bound forces out is counted.
// Used from the publisher thread only. The PostgreSQL sink keeps its waiting samples in one too
// (one plain message a sample, so the bound counts samples and drops the oldest first).
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sink/mqtt_messages.hpp"

struct sqlite3;

namespace regpoll::sink {

struct StoredMessage {
    std::int64_t id = 0;
    Message message;
};

class Outbox {
public:
    // Opens the file if it exists; otherwise it is created with the first append. Throws
    // std::runtime_error naming the file when it cannot be opened, or its directory does not
    // exist or refuses new files. `label` starts every error message ("MQTT outbox \"/var/lib/regpoll/site.outbox.db\": disk I/O error").
    Outbox(const std::string& path, std::size_t max_messages, std::string label = "MQTT outbox");
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // Appends in order, in one transaction; returns how many old messages the bound dropped.
    // Throws (and keeps nothing of `messages`) when the disk refuses the write.
    std::size_t append(std::span<const Message> messages);
    // Up to `n` oldest messages with an id above `after_id`.
    std::vector<StoredMessage> oldest(std::size_t n, std::int64_t after_id = 0);
    // Forgets every message up to and including `id` (delivered).
    void remove_up_to(std::int64_t id);
    std::size_t size() const { return count_; }
    std::uint64_t dropped_total() const { return dropped_total_; }

private:
    void open();
    std::runtime_error error(const std::string& what) const;  // "<label> \"<path>\": <what>"
    void exec(const char* sql);
    std::size_t enforce_bound();

    sqlite3* db_ = nullptr;
    std::string path_;
    std::string label_;
    std::size_t max_;
    std::size_t count_ = 0;
    std::uint64_t dropped_total_ = 0;
};

}  // namespace regpoll::sink
