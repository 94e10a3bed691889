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

void add_write_outcome(const WriteOutcome& outcome, nlohmann::ordered_json& out) {
    out["ok"] = outcome.ok;
    if (outcome.ok) {
        out["value"] = value_to_json(outcome.value);
        if (!outcome.read_back) out["read_back"] = false;  // a write-only point: the value written
        if (!outcome.warning.empty()) out["warning"] = outcome.warning;
    } else {
        out["error"] = outcome.error;
    }
}

}  // namespace regpoll::poll
