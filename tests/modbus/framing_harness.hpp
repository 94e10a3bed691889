#pragma once
// Feeds bytes to a framing parser in chunks, the way a link does: accumulate, parse,
// drop what the result consumed, repeat. Collects frames and errors in order.
#include <functional>
#include <span>
#include <vector>

#include "modbus/frame.hpp"

namespace regpoll::test {

struct FeedResult {
    std::vector<modbus::Adu> frames;
    std::vector<std::error_code> errors;
    std::size_t left_over = 0;
};

using ParseFn = std::function<modbus::ParseResult(std::span<const std::uint8_t>)>;

inline FeedResult feed(const ParseFn& parse, const std::vector<std::uint8_t>& bytes,
                       std::size_t chunk) {
    FeedResult out;
    std::vector<std::uint8_t> buffer;
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
        const auto end = std::min(bytes.size(), pos + chunk);
        buffer.insert(buffer.end(), bytes.begin() + static_cast<long>(pos),
                      bytes.begin() + static_cast<long>(end));
        while (!buffer.empty()) {
            auto r = parse(buffer);
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(r.consumed));
            if (r.status == modbus::ParseResult::Status::frame) out.frames.push_back(r.adu);
            if (r.status == modbus::ParseResult::Status::error) out.errors.push_back(r.error);
            if (r.status == modbus::ParseResult::Status::need_more && r.consumed == 0) break;
        }
    }
    out.left_over = buffer.size();
    return out;
}

}  // namespace regpoll::test
