#pragma once
// Which records from the Growatt cloud a relay lets through to the stick. Pure code: the
// relay (transport/shine_relay) asks this for every cloud record it cut.
//
// With "block" (the default) the cloud may not change the stick or the inverter: datalogger
// setting writes (0x18) are dropped except the clock (item 31), which the cloud sets after
// every announce, and inverter holding-register writes (0x06, 0x10) are dropped. Reads
// (0x19, 0x05), acks and ping echoes always pass. With "allow" everything passes.
#include <cstdint>
#include <optional>
#include <string>

#include "shine/frame.hpp"

namespace regpoll::shine {

enum class RelayCommands { block, allow };

struct RelayVerdict {
    bool pass = true;
    // For a dropped record: what it was, for the log ("datalogger setting write of item 17",
    // "inverter register write 3 = 0").
    std::string what;
};

RelayVerdict relay_verdict(const Frame& from_cloud, RelayCommands commands);

// The item a 0x18 command writes; nullopt when the body is too short to hold one.
std::optional<std::uint16_t> config_write_item(const Frame& command);

}  // namespace regpoll::shine
