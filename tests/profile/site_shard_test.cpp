#include "profile/site_shard.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;

// A site of 300 devices: most on plain Modbus TCP buses (keyed by device name), the rest on
// buses only one process can drive (keyed by bus name).
const std::map<std::string, std::string> buses{
    {"plant", "tcp://127.0.0.1:5020"},         {"hall", "tcp://127.0.0.1:5021"},
    {"line1", "rtu:///dev/ttyUSB0?baud=9600"}, {"line2", "ascii:///dev/ttyUSB1"},
    {"stick", "tcp+listen://0.0.0.0:5022"},    {"loggers", "shine+listen://0.0.0.0:5279"},
    {"converter", "rtu+tcp://127.0.0.1:8899"}, {"dongle", "tcp://127.0.0.1:5023"},
};
const std::set<std::string> whole_buses{"line1",   "line2",     "stick",
                                        "loggers", "converter", "dongle"};

std::string site_file(const std::string& shard) {
    nlohmann::json site;
    for (const auto& [name, uri] : buses) site["buses"].push_back({{"name", name}, {"uri", uri}});
    const nlohmann::json points = nlohmann::json::array({{{"name", "x"}, {"address", 0}}});
    auto add = [&](const std::string& name, const std::string& bus, int unit) {
        nlohmann::json d{{"name", name}, {"bus", bus}, {"unit", unit}, {"points", points}};
        if (bus == "loggers") d["datalogger"] = "LOG" + name;
        // One device of the dongle's says it takes a single client: the whole bus goes together.
        if (name == "dongle-5") d["limits"] = {{"single_connection", true}};
        site["devices"].push_back(d);
    };
    int n = 0;
    for (const auto& bus : whole_buses) {
        for (int i = 1; i <= 5; ++i) add(bus + "-" + std::to_string(i), bus, i), ++n;
    }
    for (int i = 0; n < 300; ++i, ++n)
        add("dev" + std::to_string(i), i % 2 ? "plant" : "hall", 1 + i % 200);
    if (!shard.empty()) site["shard"] = shard;
    const auto dir =
        fs::temp_directory_path() / ("regpoll-shard-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto path = (dir / ("site" + shard.substr(0, 1) + ".json")).string();
    std::ofstream(path) << site.dump(2);
    return path;
}

SiteConfig load(const std::string& shard) {
    ProfileLibrary library;
    auto result = load_site_config(site_file(shard), library);
    for (const auto& e : result.diagnostics.errors()) ADD_FAILURE() << e;
    return result.config.value_or(SiteConfig{});
}

TEST(SiteShard, BusesOnlyOneProcessCanDriveGoWhole) {
    const auto site = load("");
    for (const auto& bus : site.buses) {
        EXPECT_EQ(bus_takes_one_master(site, bus), whole_buses.count(bus.name) > 0) << bus.name;
    }
    std::map<std::string, std::set<unsigned>> shards_of_bus;
    for (const auto& c : split_site(site, 3)) {
        EXPECT_EQ(c.by_bus, whole_buses.count(c.bus) > 0) << c.device;
        shards_of_bus[c.bus].insert(c.shard);
    }
    for (const auto& bus : whole_buses) EXPECT_EQ(shards_of_bus[bus].size(), 1U) << bus;
    // Devices keyed by name spread.
    EXPECT_EQ(shards_of_bus["plant"].size(), 3U);
    EXPECT_EQ(shards_of_bus["hall"].size(), 3U);
}

TEST(SiteShard, EachOfThreeShardsKeepsItsDevicesAndTheirBusesOnly) {
    std::map<std::string, int> taken;
    for (unsigned k = 1; k <= 3; ++k) {
        const Shard shard{k, 3};
        auto site = load(shard.text());
        ASSERT_TRUE(site.shard);
        EXPECT_EQ(*site.shard, shard);
        keep_shard(site);
        EXPECT_EQ(site.devices.size() + site.elsewhere.size(), 300U);
        std::set<std::string> used;
        for (const auto& d : site.devices) {
            ++taken[d.name];
            used.insert(d.bus);
            EXPECT_EQ(site.device_elsewhere(d.name), nullptr);
        }
        for (const auto& e : site.elsewhere) {
            EXPECT_NE(e.shard, k) << e.device;
            EXPECT_EQ(site.device(e.device), nullptr) << e.device;
        }
        // No bus of another shard is opened here (a listen port, a serial line).
        std::set<std::string> opened;
        for (const auto& b : site.buses) opened.insert(b.name);
        EXPECT_EQ(opened, used) << "shard " << shard.text();
    }
    EXPECT_EQ(taken.size(), 300U);
    for (const auto& [name, n] : taken) EXPECT_EQ(n, 1) << name;
}

TEST(SiteShard, WithoutAShardNothingIsDropped) {
    auto site = load("");
    keep_shard(site);
    EXPECT_EQ(site.devices.size(), 300U);
    EXPECT_EQ(site.buses.size(), buses.size());
    EXPECT_TRUE(site.elsewhere.empty());
}

}  // namespace
}  // namespace regpoll::profile
