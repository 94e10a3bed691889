#pragma once
// JSON text as every MQTT message regpoll builds writes it: keys in insertion order, compact,
// invalid UTF-8 replaced rather than thrown on (a device's string point may hold anything).
#include <string>

#include <nlohmann/json.hpp>

namespace regpoll::sink {

using OJson = nlohmann::ordered_json;

inline std::string dump(const OJson& j) {
    return j.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

}  // namespace regpoll::sink
