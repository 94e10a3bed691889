#pragma once
// How one point is laid out in registers and turned into an engineering value.
#include <cstddef>
#include <optional>
#include <string>

#include "codec/types.hpp"

namespace regpoll::codec {

struct Format {
    Type type = Type::uint16;
    ByteOrder byte_order = ByteOrder::big;
    WordOrder word_order = WordOrder::big;
    std::size_t length = 0;                 // string only: registers (two characters each)
    RegisterByte byte = RegisterByte::low;  // int8/uint8 only
    // Engineering value = raw * scale + offset. Ignored by bool and string.
    double scale = 1.0;
    double offset = 0.0;

    // No arithmetic applies: integers stay integers, float bits pass through untouched.
    bool is_unscaled() const { return scale == 1.0 && offset == 0.0; }
};

inline std::size_t register_count(const Format& format) {
    return register_count(format.type, format.length);
}

// Why decode/encode would refuse every value with this format (a string of length 0, a zero
// or non-finite scale, a non-finite offset), for the configuration checks; nullopt if usable.
std::optional<std::string> check_format(const Format& format);

}  // namespace regpoll::codec
