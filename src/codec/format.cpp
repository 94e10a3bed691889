#include "codec/format.hpp"

#include <cmath>

namespace regpoll::codec {

std::optional<std::string> check_format(const Format& format) {
    if (format.type == Type::string && format.length == 0) {
        return "string needs a length of at least 1 register";
    }
    // Encoding divides by the scale, so zero would turn every write into inf or nan.
    if (!std::isfinite(format.scale) || format.scale == 0.0) {
        return "scale must be a finite, non-zero number";
    }
    if (!std::isfinite(format.offset)) return "offset must be a finite number";
    return std::nullopt;
}

}  // namespace regpoll::codec
