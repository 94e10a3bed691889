#include "sink/message_json.hpp"

#include <cmath>

namespace regpoll::sink {

// nlohmann's serializer writing to `out` (its adapter appends), as basic_json::dump() uses it.
JsonAppender::JsonAppender(std::string& out)
    : out_(out),
      s_(nlohmann::detail::output_adapter<char, std::string>(out), ' ',
         OJson::error_handler_t::replace) {}

void JsonAppender::value(const codec::Value& v) {
    std::visit(
        [this](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out_.append("null");
            } else if constexpr (std::is_same_v<T, double>) {
                if (std::isfinite(x))
                    s_.dump(OJson(x), false, false, 0);
                else
                    out_.append("null");
            } else {
                s_.dump(OJson(x), false, false, 0);
            }
        },
        v);
}

void JsonAppender::number(std::int64_t n) {
    s_.dump(OJson(n), false, false, 0);
}

std::string json_key(std::string_view name) {
    return dump(OJson(std::string(name))) + ":";
}

}  // namespace regpoll::sink
