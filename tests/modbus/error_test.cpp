#include "modbus/error.hpp"

#include <gtest/gtest.h>

namespace regpoll::modbus {
namespace {

TEST(ModbusError, ExceptionCodesHaveReadableNames) {
    EXPECT_EQ(make_exception_error(2).message(), "exception ILLEGAL DATA ADDRESS (2)");
    EXPECT_EQ(make_exception_error(1).message(), "exception ILLEGAL FUNCTION (1)");
    EXPECT_EQ(make_exception_error(11).message(),
              "exception GATEWAY TARGET DEVICE FAILED TO RESPOND (11)");
    EXPECT_EQ(make_exception_error(0x42).message(), "exception UNKNOWN EXCEPTION (66)");
    EXPECT_TRUE(is_exception(make_exception_error(4)));
    EXPECT_FALSE(is_exception(make_error_code(Errc::timeout)));
    EXPECT_EQ(make_error_code(Errc::timeout).message(), "timeout");
}

TEST(ModbusError, PolicyGroupsErrorsByWhatThePollerDoes) {
    EXPECT_EQ(policy_of(make_exception_error(2)), Policy::unsupported);
    EXPECT_EQ(policy_of(make_exception_error(1)), Policy::unsupported);
    EXPECT_EQ(policy_of(make_exception_error(6)), Policy::transient);
    EXPECT_EQ(policy_of(make_exception_error(11)), Policy::device_down);
    EXPECT_EQ(policy_of(make_error_code(Errc::timeout)), Policy::device_down);
    EXPECT_EQ(policy_of(make_error_code(Errc::bad_crc)), Policy::transient);
    EXPECT_EQ(policy_of(make_error_code(Errc::invalid_request)), Policy::configuration);
    EXPECT_EQ(policy_of(std::make_error_code(std::errc::connection_refused)), Policy::device_down);
}

}  // namespace
}  // namespace regpoll::modbus
