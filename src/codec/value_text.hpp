#pragma once
// A value typed on the command line, straight to the registers to write.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/format.hpp"
#include "common/expected.hpp"

namespace regpoll::codec {

// What `text` may be, by type:
//   bool                  true/false, on/off, 1/0 (any letter case)
//   integer types, bcd    a decimal number, integer or not (scale, offset and rounding as in
//                         encode), or 0x/0X hex, which gives the raw register bits and so
//                         bypasses scale and offset (0xFFFF as int16 writes -1)
//   float types           a decimal number, nan, inf or -inf
//   string                the text verbatim
// A leading '+' is accepted on numbers; surrounding spaces are not. Errors quote the text
// and name the type: "12a" is not a number (type int16).
Expected<std::vector<std::uint16_t>, std::string> encode_text(std::string_view text,
                                                              const Format& format);

}  // namespace regpoll::codec
