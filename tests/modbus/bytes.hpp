#pragma once
// Test helper: bytes from a hex string such as "01 03 00 00 00 01".
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace regpoll::test {

inline std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::istringstream in(text);
    std::string byte;
    while (in >> byte) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    return out;
}

inline std::vector<std::uint8_t> ascii_bytes(const std::string& text) {
    return {text.begin(), text.end()};
}

}  // namespace regpoll::test
