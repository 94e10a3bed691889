#include "gateway/point_write_filter.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "site_text.hpp"

namespace regpoll::gateway {
namespace {

using modbus::Errc;
using Bytes = std::vector<std::uint8_t>;

class PointWriteFilter : public ::testing::Test {
  protected:
    void SetUp() override {
        site_ = testing::load_site_text(
            testing::site_json("tcp://127.0.0.1:1502", testing::test_device("box", 1), ""));
        ASSERT_TRUE(site_.config) << site_.errors();
    }
    std::optional<Errc> verdict(const Bytes& pdu) {
        auto v = check_point_write(site_.config->devices[0], held_, pdu);
        return v ? std::optional<Errc>(v->exception) : std::nullopt;
    }
    testing::LoadedSite site_;
    poll::HeldRegisters held_;
};

TEST_F(PointWriteFilter, WritablePointsWithinTheirLimitsPass) {
    EXPECT_EQ(verdict(Bytes{6, 0, 2, 0, 50}), std::nullopt);                   // setpoint = 50
    EXPECT_EQ(verdict(Bytes{16, 0, 2, 0, 2, 4, 0, 100, 0, 0}), std::nullopt);  // setpoint, limit
    EXPECT_EQ(verdict(Bytes{16, 0, 10, 0, 2, 4, 0x40, 0xA0, 0, 0}), std::nullopt);  // level = 5.0
    EXPECT_EQ(verdict(Bytes{5, 0, 0, 0xFF, 0}), std::nullopt);                      // relay on
    EXPECT_EQ(verdict(Bytes{23, 0, 0, 0, 2, 0, 3, 0, 1, 2, 0, 7}),
              std::nullopt);  // FC23 writes limit
}

TEST_F(PointWriteFilter, OtherRegistersAreIllegalAddressesAndBadValuesIllegalValues) {
    EXPECT_EQ(verdict(Bytes{6, 0, 0, 0, 1}), Errc::illegal_data_address);  // "a" is not writable
    EXPECT_EQ(verdict(Bytes{6, 0, 5, 0, 1}), Errc::illegal_data_address);  // no point at 5
    EXPECT_EQ(verdict(Bytes{16, 0, 2, 0, 3, 6, 0, 1, 0, 1, 0, 1}),
              Errc::illegal_data_address);                                        // 4 has none
    EXPECT_EQ(verdict(Bytes{6, 0, 10, 0x40, 0xA0}), Errc::illegal_data_address);  // half of a float
    EXPECT_EQ(verdict(Bytes{5, 0, 1, 0xFF, 0}), Errc::illegal_data_address);      // no coil 1
    EXPECT_EQ(verdict(Bytes{6, 0, 2, 0, 101}), Errc::illegal_data_value);         // above max 100
    EXPECT_EQ(verdict(Bytes{16, 0, 10, 0, 2, 4, 0x41, 0xA0, 0, 0}),
              Errc::illegal_data_value);  // 20.0 > 10
}

TEST_F(PointWriteFilter, OnlyThePointsTheDeviceListsMayBeWritten) {
    auto site = testing::load_site_text(testing::site_json(
        "tcp://127.0.0.1:1502",
        R"({ "name": "box", "bus": "lab", "unit": 1, "writes": ["limit"], "points": [
             { "name": "setpoint", "address": 2, "writable": true }, { "name": "limit", "address": 3, "writable": true } ] })",
        ""));
    ASSERT_TRUE(site.config) << site.errors();
    const auto& device = site.config->devices[0];
    EXPECT_FALSE(check_point_write(device, held_, Bytes{6, 0, 3, 0, 1}));
    auto refused = check_point_write(device, held_, Bytes{6, 0, 2, 0, 1});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->exception, Errc::illegal_data_address);
    EXPECT_NE(refused->reason.find("setpoint"), std::string::npos) << refused->reason;
}

}  // namespace
}  // namespace regpoll::gateway
