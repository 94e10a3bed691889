#include "gateway/request_check.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace regpoll::gateway {
namespace {

using modbus::Errc;
using Bytes = std::vector<std::uint8_t>;

TEST(RequestCheck, ServedFunctionsAreTheIssuesList) {
    for (std::uint8_t fc : {1, 2, 3, 4, 5, 6, 15, 16, 23})
        EXPECT_TRUE(is_served_function(Bytes{fc, 0})) << int(fc);
    EXPECT_TRUE(is_served_function(Bytes{43, 14, 1, 0}));
    for (std::uint8_t fc : {7, 8, 17, 20, 22, 24, 0x83})
        EXPECT_FALSE(is_served_function(Bytes{fc, 0})) << int(fc);
    EXPECT_FALSE(is_served_function(Bytes{43, 13}));  // CANopen, not device identification
    EXPECT_FALSE(is_served_function(Bytes{}));
}

TEST(RequestCheck, LengthsQuantitiesAndRangesAreCheckedBeforeAnythingTrustsThem) {
    EXPECT_FALSE(check_request(Bytes{3, 0, 0, 0, 125}));
    EXPECT_EQ(check_request(Bytes{3, 0, 0, 0, 126}), Errc::illegal_data_value);
    EXPECT_EQ(check_request(Bytes{3, 0, 0, 0, 0}), Errc::illegal_data_value);
    EXPECT_EQ(check_request(Bytes{3, 0, 0, 0}), Errc::illegal_data_value);        // short
    EXPECT_EQ(check_request(Bytes{3, 0, 0, 0, 1, 9}), Errc::illegal_data_value);  // long
    EXPECT_EQ(check_request(Bytes{4, 0xFF, 0xFF, 0, 2}), Errc::illegal_data_address);
    EXPECT_FALSE(check_request(Bytes{1, 0, 0, 0x07, 0xD0}));                         // 2000 bits
    EXPECT_EQ(check_request(Bytes{5, 0, 1, 0x12, 0x34}), Errc::illegal_data_value);  // not ON/OFF
    EXPECT_FALSE(check_request(Bytes{16, 0, 1, 0, 2, 4, 0, 1, 0, 2}));
    EXPECT_EQ(check_request(Bytes{16, 0, 1, 0, 2, 4, 0, 1, 0}),
              Errc::illegal_data_value);  // data short
    EXPECT_EQ(check_request(Bytes{16, 0, 1, 0, 2, 3, 0, 1, 0}),
              Errc::illegal_data_value);  // byte count
    EXPECT_EQ(check_request(Bytes{15, 0, 0, 0, 9, 1, 0xFF}),
              Errc::illegal_data_value);  // 9 bits in 1 byte
    EXPECT_FALSE(check_request(Bytes{15, 0, 0, 0, 9, 2, 0xFF, 1}));
    EXPECT_FALSE(check_request(Bytes{23, 0, 0, 0, 2, 0, 5, 0, 1, 2, 0, 7}));
    EXPECT_EQ(check_request(Bytes{23, 0, 0, 0, 2, 0, 5, 0, 1, 4, 0, 7}), Errc::illegal_data_value);
}

TEST(RequestCheck, AnswersFromHeldValuesOnlyWhenAllAreFreshEnough) {
    poll::HeldRegisters held;
    const auto now = poll::HeldRegisters::Clock::now();
    held.store(modbus::RegisterKind::holding, 0, std::array<std::uint16_t, 3>{0x1234, 2, 3}, now);
    held.store(modbus::RegisterKind::coil, 0,
               std::array<std::uint16_t, 10>{1, 0, 0, 0, 0, 0, 0, 0, 1, 1}, now);
    EXPECT_EQ(answer_from_held(held, Bytes{3, 0, 0, 0, 2}, now), (Bytes{3, 4, 0x12, 0x34, 0, 2}));
    EXPECT_FALSE(answer_from_held(held, Bytes{3, 0, 0, 0, 4}, now));
    EXPECT_FALSE(answer_from_held(held, Bytes{3, 0, 0, 0, 2}, now + std::chrono::seconds(1)));
    EXPECT_FALSE(answer_from_held(held, Bytes{4, 0, 0, 0, 2}, now));
    EXPECT_EQ(answer_from_held(held, Bytes{1, 0, 0, 0, 10}, now), (Bytes{1, 2, 0x01, 0x03}));
}

}  // namespace
}  // namespace regpoll::gateway
