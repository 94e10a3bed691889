#include "poll/value_json.hpp"

#include <cmath>

namespace regpoll::poll {

nlohmann::ordered_json value_to_json(const codec::Value& value) {
    return std::visit(
        [](const auto& v) -> nlohmann::ordered_json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return nullptr;
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) return nullptr;
                return v;
            } else {
                return v;
            }
        },
        value);
}

}  // namespace regpoll::poll
