#pragma once
// Samples in the PostgreSQL sink's outbox (the MQTT sink's Outbox class, one plain message a
// sample, so its bound counts samples): topic "device\0point\0unit"; payload the time
// (8 bytes), the kind (1 byte), then the number's 8 bytes or the text. Host byte order: the
// file stays on this machine.
#include <cstdint>
#include <string>
#include <string_view>

#include "sink/history_filter.hpp"
#include "sink/mqtt_messages.hpp"

namespace regpoll::sink {

Message to_outbox_message(const std::string& device, const std::string& point,
                          const std::string& unit, std::int64_t ts, const StoredValue& v);

struct OutboxSample {
    std::string_view device, point, unit;  // views into the message
    std::int64_t ts = 0;
    StoredValue value;
};

// False for a message that is not a sample (skipped).
bool from_outbox_message(const Message& m, OutboxSample& out);

}  // namespace regpoll::sink
