#include "profile/site_shard.hpp"

#include <algorithm>
#include <set>

namespace regpoll::profile {

bool bus_takes_one_master(const SiteConfig& site, const BusConfig& bus) {
    const auto& scheme = bus.uri.scheme;
    if (bus.uri.is_serial() || bus.uri.is_listen() || scheme == "rtu+tcp" || scheme == "ascii+tcp")
        return true;
    return std::any_of(site.devices.begin(), site.devices.end(), [&](const DeviceConfig& d) {
        return d.bus == bus.name && d.limits.single_connection;
    });
}

std::vector<ShardChoice> split_site(const SiteConfig& site, unsigned count) {
    std::set<std::string> whole_buses;
    for (const auto& bus : site.buses) {
        if (bus_takes_one_master(site, bus)) whole_buses.insert(bus.name);
    }
    std::vector<ShardChoice> out;
    out.reserve(site.devices.size());
    for (const auto& d : site.devices) {
        ShardChoice c{d.name, d.bus, whole_buses.count(d.bus) > 0, 1};
        c.shard = shard_of(c.by_bus ? d.bus : d.name, count);
        out.push_back(std::move(c));
    }
    return out;
}

void keep_shard(SiteConfig& site) {
    if (!site.shard) return;
    const auto choices = split_site(site, site.shard->count);
    std::vector<DeviceConfig> kept;
    std::set<std::string> used_buses;
    site.elsewhere.clear();
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (choices[i].shard == site.shard->index) {
            used_buses.insert(site.devices[i].bus);
            kept.push_back(std::move(site.devices[i]));
        } else {
            site.elsewhere.push_back({choices[i].device, choices[i].shard});
        }
    }
    site.devices = std::move(kept);
    // A bus without devices here is another shard's: opening it (binding a listen port,
    // taking a serial line) would keep that shard from it.
    std::erase_if(site.buses, [&](const BusConfig& b) { return used_buses.count(b.name) == 0; });
}

}  // namespace regpoll::profile
