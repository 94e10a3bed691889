#include "plugin/plugin_value.hpp"

#include <type_traits>

namespace regpoll::plugin {

regpoll_value to_plugin_value(const codec::Value& value) {
    regpoll_value out{};
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out.kind = REGPOLL_VALUE_NULL;
            } else if constexpr (std::is_same_v<T, bool>) {
                out.kind = REGPOLL_VALUE_BOOL;
                out.as.boolean = v ? 1 : 0;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out.kind = REGPOLL_VALUE_INT;
                out.as.i = v;
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
                out.kind = REGPOLL_VALUE_UINT;
                out.as.u = v;
            } else if constexpr (std::is_same_v<T, double>) {
                out.kind = REGPOLL_VALUE_DOUBLE;
                out.as.d = v;
            } else {
                out.kind = REGPOLL_VALUE_STRING;
                out.as.string = regpoll_string{v.data(), v.size()};
            }
        },
        value);
    return out;
}

codec::Value from_plugin_value(const regpoll_value& value, std::string& error) {
    switch (value.kind) {
        case REGPOLL_VALUE_NULL:
            return std::monostate{};
        case REGPOLL_VALUE_BOOL:
            return value.as.boolean != 0;
        case REGPOLL_VALUE_INT:
            return value.as.i;
        case REGPOLL_VALUE_UINT:
            return value.as.u;
        case REGPOLL_VALUE_DOUBLE:
            return value.as.d;
        case REGPOLL_VALUE_STRING:
            if (!value.as.string.data && value.as.string.size != 0) {
                error = "returned a string of " + std::to_string(value.as.string.size) +
                        " bytes without data";
                return std::monostate{};
            }
            return std::string(value.as.string.data ? value.as.string.data : "",
                               value.as.string.size);
        default:
            error = "returned a value of unknown kind " + std::to_string(value.kind);
            return std::monostate{};
    }
}

}  // namespace regpoll::plugin
