#pragma once
// "profile": "sunspec" in a site configuration: discover the device at start, keep the
// profile in the state folder, and use that cache while the identity (Mn, Md, SN, Vr) stays
// the same or the device does not answer (an inverter asleep at night).
#include "profile/profile_loader.hpp"

namespace regpoll::app {

// `rediscover`: walk the chain even when the cache is current (SIGHUP).
profile::SunspecSource sunspec_source(bool rediscover);

// The cache of a device's discovered profile: "sunspec-<device>.json" in the state folder
// (or beside the configuration), with its identity in "…json.identity".
std::string sunspec_cache_file(const std::string& config_file, const std::string& device);

}  // namespace regpoll::app
