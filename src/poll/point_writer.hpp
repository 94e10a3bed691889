#pragma once
// One checked write, carried out on a link: what the encoding needs is read first (the
// register a bit or byte lives in, the scale factor), then the write, then the point is
// read back and decoded as polling decodes it (unless it is write-only, "read": false). The requests join the bus's queue like any
// poll, so on a serial line a write never lands inside another transaction.
#include <functional>
#include <memory>

#include "poll/write_request.hpp"
#include "transport/link.hpp"

namespace regpoll::poll {

struct WriteTarget {
    std::shared_ptr<transport::Link> link;
    std::uint8_t unit = 1;
    transport::Milliseconds timeout{1000};
    const profile::DeviceConfig* device = nullptr;  // outlives the write
    const profile::Point* point = nullptr;
};

// `value` has passed parse_write_payload and check_write_range. Returns why the value cannot
// be encoded when that is known before anything is sent (done is not called then);
// otherwise `done` runs on the link's io_context, once.
std::optional<std::string> write_point(const WriteTarget& target, codec::Value value,
                                       std::function<void(WriteOutcome)> done);

}  // namespace regpoll::poll
