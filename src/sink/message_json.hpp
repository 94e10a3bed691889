#pragma once
// JSON text as every MQTT message regpoll builds writes it: keys in insertion order, compact,
// invalid UTF-8 replaced rather than thrown on (a device's string point may hold anything).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "codec/value.hpp"

namespace regpoll::sink {

using OJson = nlohmann::ordered_json;

inline std::string dump(const OJson& j) {
    return j.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

// Appends JSON text to a string without building a tree, through nlohmann's own serializer,
// so every number, string and escape reads exactly as dump() of the same value would. The
// per-poll state object is written this way: one buffer, no node per point.
class JsonAppender {
  public:
    explicit JsonAppender(std::string& out);

    void raw(std::string_view text) { out_.append(text); }
    // A point's value as poll::value_to_json() gives it: null for "not available" and for
    // a double that is not finite.
    void value(const codec::Value& v);
    void number(std::int64_t n);

  private:
    std::string& out_;
    nlohmann::detail::serializer<OJson> s_;
};

// `"name":` with the name escaped as dump() escapes it.
std::string json_key(std::string_view name);

}  // namespace regpoll::sink
