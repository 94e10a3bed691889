// Every profile shipped in devices/ loads, validates and plans (CONVENTIONS.md, point 18).
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "plan/block_planner.hpp"
#include "profile/profile_loader.hpp"
#include "profile/profile_metadata.hpp"
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
        // Every point is read, except the write-only ones ("read": false), which never are.
        const auto readable = std::count_if(profile->points.begin(), profile->points.end(),
                                            [](const Point& p) { return p.readable; });
        EXPECT_EQ(planned, static_cast<std::size_t>(readable)) << entry.path();
        ++loaded;
    }
    EXPECT_GE(loaded, 10);
}

TEST(ShippedProfiles, LibraryNamesResolve) {
    ProfileLibrary library;
    Diagnostics diag;
    for (const char* name : {"growatt/min-tl-x", "growatt/tl-v3", "growatt/min-tl-xh", "growatt/sph-spa",
                             "growatt/mod-max-tl3", "eastron/sdm630", "eastron/sdm120", "sunspec/inverter",
                             "huawei/sun2000", "sma/sunny-boy", "eurotherm/3500", "omega/cn7500", "moxa/iologik-e1214"}) {
        EXPECT_TRUE(library.find(name, ".", diag, "test", "/")) << name;
    }
    EXPECT_TRUE(diag.ok());
}

// Issue 14, "Fix what is shipped": growatt/min-tl-x read the rated reactive power (234)
// as the measurement, joined the warning bits (110) to the unrelated sub-code (111), and
// called the per-phase apparent power (40-49, 0.1 VA) a power in W.
TEST(ShippedProfiles, GrowattMinTlxReactivePowerWarningCodesAndApparentPower) {
    Diagnostics diag;
    auto profile = load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/growatt/min-tl-x.json", diag);
    ASSERT_TRUE(profile);
    auto find = [&](const std::string& name) -> const Point* {
        for (const auto& p : profile->points) {
            if (p.name == name) return &p;
        }
        ADD_FAILURE() << "no point " << name;
        return nullptr;
    };
    const Point* reactive = find("reactive_power");
    ASSERT_TRUE(reactive);
    EXPECT_EQ(reactive->kind, modbus::RegisterKind::input);
    EXPECT_EQ(reactive->address, 232);
    EXPECT_EQ(reactive->format.type, codec::Type::int32);
    for (const auto& [name, address] : std::vector<std::pair<std::string, int>>{
             {"warning_code", 110}, {"warning_subcode", 111}, {"warning_main_code", 112}}) {
        const Point* p = find(name);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->address, address) << name;
        EXPECT_EQ(p->format.type, codec::Type::uint16) << name;
        EXPECT_EQ(p->width(), 1U) << name;
    }
    const Point* l1 = find("l1_apparent_power");
    ASSERT_TRUE(l1);
    EXPECT_EQ(l1->address, 40);
    EXPECT_EQ(l1->unit, "VA");
    EXPECT_EQ(l1->device_class, "apparent_power");
    for (const auto& p : profile->points) EXPECT_NE(p.name, "l1_power");
}

TEST(ShippedProfiles, HuaweiSun2000SaysWhichModelsItDoesNotFit) {
    Diagnostics diag;
    auto profile = load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/huawei/sun2000.json", diag);
    ASSERT_TRUE(profile);
    EXPECT_NE(profile->description.find("Does NOT fit first-generation SUN2000 KTL"), std::string::npos);
    EXPECT_NE(profile->description.find("40525"), std::string::npos);
}

// models, transports and the default unit/port load; a device without "unit" takes the
// profile's default unit, one with "unit" keeps its own.
TEST(ShippedProfiles, MetadataAndTheDefaultUnit) {
    Diagnostics diag;
    auto sma = load_profile_metadata(std::string(REGPOLL_SOURCE_DIR) + "/devices/sma/sunny-boy.json", diag);
    ASSERT_TRUE(sma);
    EXPECT_EQ(sma->models, (std::vector<std::string>{"Sunny Boy", "Sunny Tripower"}));
    EXPECT_EQ(sma->transports, (std::vector<std::string>{"tcp"}));
    EXPECT_EQ(sma->default_unit, std::optional<std::uint8_t>(3));
    EXPECT_EQ(sma->default_port, std::optional<std::uint16_t>(502));
    auto meter = load_profile_metadata(std::string(REGPOLL_SOURCE_DIR) + "/devices/eastron/sdm630.json", diag);
    ASSERT_TRUE(meter);
    EXPECT_TRUE(meter->models.empty());
    EXPECT_FALSE(meter->default_unit);
    EXPECT_TRUE(diag.ok());

    const auto dir = fs::temp_directory_path() / ("regpoll-default-unit-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto path = (dir / "site.json").string();
    std::ofstream(path) << R"({ "buses": [ { "name": "b", "uri": "tcp://127.0.0.1:5020" } ],
        "devices": [ { "name": "sma", "bus": "b", "profile": "sma/sunny-boy" },
                     { "name": "sma7", "bus": "b", "unit": 7, "profile": "sma/sunny-boy" },
                     { "name": "meter", "bus": "b", "profile": "eastron/sdm630" } ] })";
    ProfileLibrary library;
    auto result = load_site_config(path, library);
    ASSERT_TRUE(result.config);
    EXPECT_EQ(result.config->devices[0].unit, 3);
    EXPECT_EQ(result.config->devices[1].unit, 7);
    EXPECT_EQ(result.config->devices[2].unit, 1);  // no default_unit: 1
    fs::remove_all(dir);
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
