#pragma once
// Test helpers: bytes from a hex string such as "01 03 00 00 00 01", and text as bytes.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace regpoll::server::test {

inline std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::istringstream in(text);
    std::string byte;
    while (in >> byte) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    return out;
}

inline std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (std::uint8_t b : bytes) {
        if (!out.empty()) out += ' ';
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

// Hex of the text's bytes, for FC43 objects: ascii_hex("SIM") == "53 49 4D".
inline std::string ascii_hex(const std::string& text) {
    return to_hex(std::vector<std::uint8_t>(text.begin(), text.end()));
}

}  // namespace regpoll::server::test
