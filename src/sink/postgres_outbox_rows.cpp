#include "sink/postgres_outbox_rows.hpp"

#include <bit>
#include <cstring>

namespace regpoll::sink {

Message to_outbox_message(const std::string& device, const std::string& point,
                          const std::string& unit, std::int64_t ts, const StoredValue& v) {
    Message m;
    m.qos = 0;
    m.cls = MessageClass::plain;
    m.topic = device + '\0' + point + '\0' + unit;
    m.payload.resize(9);
    std::memcpy(m.payload.data(), &ts, 8);
    m.payload[8] = static_cast<char>(v.kind);
    std::uint64_t bits = 0;
    if (v.kind == StoredValue::Kind::real) bits = std::bit_cast<std::uint64_t>(v.real);
    if (v.kind == StoredValue::Kind::integer || v.kind == StoredValue::Kind::boolean)
        bits = static_cast<std::uint64_t>(v.integer);
    if (v.kind == StoredValue::Kind::text) {
        m.payload.append(v.text);
    } else {
        m.payload.append(reinterpret_cast<const char*>(&bits), 8);
    }
    return m;
}

bool from_outbox_message(const Message& m, OutboxSample& d) {
    const auto first = m.topic.find('\0');
    const auto second = first == std::string::npos ? first : m.topic.find('\0', first + 1);
    if (second == std::string::npos || m.payload.size() < 9) return false;
    const std::string_view topic(m.topic);
    d.device = topic.substr(0, first);
    d.point = topic.substr(first + 1, second - first - 1);
    d.unit = topic.substr(second + 1);
    std::memcpy(&d.ts, m.payload.data(), 8);
    d.value = {};
    d.value.kind = static_cast<StoredValue::Kind>(m.payload[8]);
    std::uint64_t bits = 0;
    if (d.value.kind == StoredValue::Kind::text) {
        d.value.text = std::string_view(m.payload).substr(9);
        return true;
    }
    if (m.payload.size() < 17) return false;
    std::memcpy(&bits, m.payload.data() + 9, 8);
    if (d.value.kind == StoredValue::Kind::real)
        d.value.real = std::bit_cast<double>(bits);
    else
        d.value.integer = static_cast<std::int64_t>(bits);
    return true;
}

}  // namespace regpoll::sink
