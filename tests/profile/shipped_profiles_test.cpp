// Every profile shipped in devices/ loads, validates and plans (CONVENTIONS.md, point 18).
#include <gtest/gtest.h>

#include <filesystem>

#include "plan/block_planner.hpp"
#include "profile/profile_loader.hpp"
#include "profile/site_config.hpp"

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;

TEST(ShippedProfiles, EveryFileLoadsValidatesAndPlans) {
    const fs::path root = fs::path(REGPOLL_SOURCE_DIR) / "devices";
    int loaded = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
        Diagnostics diag;
        auto profile = load_profile(entry.path().string(), diag);
        std::string errors;
        for (const auto& e : diag.errors()) errors += "\n  " + e;
        ASSERT_TRUE(profile) << entry.path() << errors;
        EXPECT_FALSE(profile->manufacturer.empty());
        EXPECT_FALSE(profile->source.empty()) << entry.path() << ": every profile names its source";
        auto plan = plan::plan_device(profile->points, std::chrono::seconds(10), profile->limits);
        std::size_t planned = 0;
        for (const auto& g : plan.groups) {
            planned += g.points.size();
            for (const auto& b : g.blocks) {
                const auto limit = modbus::is_bit_kind(b.kind) ? profile->limits.max_bits : profile->limits.max_registers;
                EXPECT_LE(b.count, limit) << entry.path() << " block at " << b.address;
                EXPECT_LE(b.address + b.count, 65536U);
            }
        }
        EXPECT_EQ(planned, profile->points.size()) << entry.path();
        ++loaded;
    }
    EXPECT_GE(loaded, 10);
}

TEST(ShippedProfiles, LibraryNamesResolve) {
    ProfileLibrary library;
    Diagnostics diag;
    for (const char* name : {"growatt/min-tl-x", "growatt/tl-v3", "eastron/sdm630", "eastron/sdm120", "sunspec/inverter",
                             "huawei/sun2000", "sma/sunny-boy", "eurotherm/3500", "omega/cn7500", "moxa/iologik-e1214"}) {
        EXPECT_TRUE(library.find(name, ".", diag, "test", "/")) << name;
    }
    EXPECT_TRUE(diag.ok());
}

}  // namespace
}  // namespace regpoll::profile

namespace regpoll::profile {
namespace {

TEST(ShippedConfigs, EveryExampleConfigurationLoads) {
    const fs::path root = fs::path(REGPOLL_SOURCE_DIR) / "config";
    int loaded = 0;
    for (const auto& entry : fs::directory_iterator(root)) {
        // site configurations only; *.sim.json are simulator configurations (tests/sim)
        if (entry.path().extension() != ".json" || entry.path().stem().extension() == ".sim") continue;
        ProfileLibrary library;
        auto result = load_site_config(entry.path().string(), library);
        std::string errors;
        for (const auto& e : result.diagnostics.errors()) errors += "\n  " + e;
        EXPECT_TRUE(result.config) << entry.path() << errors;
        ++loaded;
    }
    EXPECT_GE(loaded, 1);
}

}  // namespace
}  // namespace regpoll::profile
