// Where a profile's source documents a sample (a request/response pair, an example value or
// a status code with its meaning), the shipped profile decodes it to what the source says.
#include <gtest/gtest.h>

#include "poll/point_decoder.hpp"
#include "profile/profile_loader.hpp"

namespace regpoll::profile {
namespace {

codec::Value decode(const std::string& profile_name, const std::string& point_name,
                    std::vector<std::uint16_t> registers) {
    Diagnostics diag;
    auto profile = load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/" + profile_name + ".json", diag);
    if (!profile) {
        ADD_FAILURE() << profile_name << " does not load";
        return {};
    }
    for (const auto& p : profile->points) {
        if (p.name != point_name) continue;
        poll::Quality quality{};
        std::string error;
        auto value = poll::decode_point(p, registers, std::nullopt, quality, error);
        EXPECT_EQ(error, "") << profile_name << "/" << point_name;
        return value;
    }
    ADD_FAILURE() << profile_name << " has no point " << point_name;
    return {};
}

// MinimalModbus tests/test_omegacn7500.py: 01 03 10 00 00 01 -> 01 03 02 00 F6, "PV 24.6".
TEST(DocumentedSamples, OmegaCn7500ProcessValue) {
    EXPECT_EQ(decode("omega/cn7500", "pv", {0x00F6}), codec::Value(24.6));
}

// Huawei's register table (hotswapster/sun2000_rs485, EDOC1100113918 V3.0): 32089 status
// 0x0200 is on-grid, 0xA000 standby without irradiation; 32085 frequency in 0.01 Hz.
TEST(DocumentedSamples, HuaweiSun2000StatusAndFrequency) {
    EXPECT_EQ(decode("huawei/sun2000", "device_status", {0x0200}), codec::Value(std::string("on-grid")));
    EXPECT_EQ(decode("huawei/sun2000", "device_status", {0xA000}),
              codec::Value(std::string("standby: no irradiation")));
    EXPECT_EQ(decode("huawei/sun2000", "grid_frequency", {5001}), codec::Value(50.01));
}

// SMA's sentinels (evcc util/modbus/register.go): S32 0x80000000 and U64 all ones are "not
// available", in the PV and the storage profile alike.
TEST(DocumentedSamples, SmaNotAvailableSentinels) {
    EXPECT_FALSE(codec::is_available(decode("sma/sunny-boy", "ac_power", {0x8000, 0x0000})));
    EXPECT_FALSE(codec::is_available(decode("sma/storage", "battery_charged_energy", {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})));
    EXPECT_EQ(decode("sma/storage", "battery_charged_energy", {0, 0, 0x0001, 0xE240}), codec::Value(123.456));
    EXPECT_EQ(decode("sma/storage", "battery_soc", {0, 87}), codec::Value(std::int64_t{87}));
}

}  // namespace
}  // namespace regpoll::profile
