#include "modbus/frame_dump.hpp"

#include <string_view>

namespace regpoll::modbus {

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i) out.push_back(' ');
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 0x0F]);
    }
    return out;
}

std::string dump_frame(Framing framing, std::span<const std::uint8_t> adu) {
    switch (framing) {
        case Framing::mbap:
            if (adu.size() >= 7) {
                return "[" + hex_bytes(adu.first(7)) + "] " + hex_bytes(adu.subspan(7));
            }
            break;
        case Framing::rtu:
            if (adu.size() >= 3) {
                return "[" + hex_bytes(adu.first(1)) + "] " +
                       hex_bytes(adu.subspan(1, adu.size() - 3)) + " [" +
                       hex_bytes(adu.last(2)) + "]";
            }
            break;
        case Framing::ascii: {
            std::string text(reinterpret_cast<const char*>(adu.data()), adu.size());
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            return text;
        }
    }
    return hex_bytes(adu);
}

}  // namespace regpoll::modbus
