#include "sink/message_json.hpp"

#include "poll/value_json.hpp"

namespace regpoll::sink {

// nlohmann's serializer writing to `out` (its adapter appends), as basic_json::dump() uses it.
JsonAppender::JsonAppender(std::string& out)
    : out_(out),
      s_(nlohmann::detail::output_adapter<char, std::string>(out), ' ',
         OJson::error_handler_t::replace) {}

void JsonAppender::value(const codec::Value& v) {
    s_.dump(poll::value_to_json(v), false, false, 0);
}

void JsonAppender::number(std::int64_t n) {
    s_.dump(OJson(n), false, false, 0);
}

std::string json_key(std::string_view name) {
    return dump(OJson(std::string(name))) + ":";
}

}  // namespace regpoll::sink
