#pragma once
// Which devices of a site configuration one shard polls (profile/shard.hpp for the hashing).
// The key of a device is its name, except on a bus that only one process can drive: there it
// is the bus's name, so the whole bus stays on one shard. Those buses are serial lines
// (rtu://, ascii://), buses the devices dial in to (tcp+listen://, rtu+listen://,
// shine+listen://: one process binds the port), serial-to-Ethernet converters (rtu+tcp://,
// ascii+tcp://: they take one client, and two masters on the serial line behind would
// collide), and tcp:// buses with a device whose profile says "single_connection".
#include <string>
#include <vector>

#include "profile/site_config.hpp"

namespace regpoll::profile {

bool bus_takes_one_master(const SiteConfig& site, const BusConfig& bus);

struct ShardChoice {
    std::string device;
    std::string bus;
    bool by_bus = false;  // keyed by the bus's name (else by the device's)
    unsigned shard = 1;
};

// Where every device of `site` goes with `count` shards, in the order of the devices.
std::vector<ShardChoice> split_site(const SiteConfig& site, unsigned count);

// Keeps the devices of `site.shard` (set) and the buses they use; the others are listed in
// `site.elsewhere` with the shard that polls them.
void keep_shard(SiteConfig& site);

}  // namespace regpoll::profile
