#include "transport/serial_options.hpp"

#include <gtest/gtest.h>

namespace regpoll::transport {
namespace {

using namespace std::chrono_literals;

BusOptions parse_ok(const std::string& text) {
    auto uri = parse_uri(text);
    EXPECT_TRUE(uri) << uri.error();
    auto options = parse_bus_options(*uri);
    EXPECT_TRUE(options) << options.error();
    return options ? *options : BusOptions{};
}

std::string parse_error(const std::string& text) {
    auto uri = parse_uri(text);
    EXPECT_TRUE(uri) << uri.error();
    auto options = parse_bus_options(*uri);
    EXPECT_FALSE(options) << text << " was accepted";
    return options ? std::string() : options.error();
}

TEST(BusOptions, SerialDefaultsFollowTheSpecification) {
    const auto rtu = parse_ok("rtu:///dev/ttyUSB0");
    EXPECT_EQ(rtu.line.baud, 19200U);
    EXPECT_EQ(rtu.line.parity, Parity::even);
    EXPECT_EQ(rtu.line.data_bits, 8U);
    EXPECT_EQ(rtu.line.stop_bits, 1U);
    EXPECT_FALSE(rtu.echo);
    EXPECT_EQ(rtu.turnaround, 100ms);
    EXPECT_EQ(rtu.pause, 0ms);
    EXPECT_FALSE(rtu.timeout);
    EXPECT_FALSE(rtu.gap);
    EXPECT_EQ(parse_ok("ascii:///dev/ttyS0").line.data_bits, 7U);
    // No parity: two stop bits keep the character at 11 bits, unless told otherwise.
    EXPECT_EQ(parse_ok("rtu:///dev/ttyUSB0?parity=N").line.stop_bits, 2U);
    EXPECT_EQ(parse_ok("rtu:///dev/ttyUSB0?parity=N&stop=1").line.stop_bits, 1U);
}

TEST(BusOptions, EveryKeyOverrides) {
    const auto o = parse_ok(
        "rtu:///dev/ttyUSB0?baud=9600&parity=O&data=8&stop=2&echo=1&turnaround=250ms"
        "&pause=20ms&timeout=2s&gap=5ms");
    EXPECT_EQ(o.line.baud, 9600U);
    EXPECT_EQ(o.line.parity, Parity::odd);
    EXPECT_EQ(o.line.stop_bits, 2U);
    EXPECT_TRUE(o.echo);
    EXPECT_EQ(o.turnaround, 250ms);
    EXPECT_EQ(o.pause, 20ms);
    EXPECT_EQ(o.timeout, 2s);
    EXPECT_EQ(o.gap, 5ms);
    const auto l = parse_ok("tcp+listen://0.0.0.0:5020?allow=10.0.0.5,192.168.1.7,::1&wait=30s");
    EXPECT_EQ(l.allow, (std::vector<std::string>{"10.0.0.5", "192.168.1.7", "::1"}));
    EXPECT_EQ(l.wait, 30s);
    EXPECT_TRUE(parse_ok("rtu+tcp://10.0.0.9:8899?echo=1&pause=50ms").echo);
}

TEST(BusOptions, ErrorsNameTheKeyAndTheValue) {
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?baud=960O"),
              "rtu:///dev/ttyUSB0?baud=960O: baud \"960O\" is not a number");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?baud=14400"),
              "rtu:///dev/ttyUSB0?baud=14400: baud \"14400\" is not a standard rate (e.g. 1200, "
              "2400, 4800, 9600, 19200, 38400, 57600, 115200)");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?parity=X"),
              "rtu:///dev/ttyUSB0?parity=X: parity \"X\" is not N, E or O");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?data=7"),
              "rtu:///dev/ttyUSB0?data=7: data \"7\": RTU frames need 8 data bits (7 is for ASCII)");
    EXPECT_EQ(parse_error("ascii:///dev/ttyUSB0?data=9"),
              "ascii:///dev/ttyUSB0?data=9: data \"9\" is not 7 or 8");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?stop=3"),
              "rtu:///dev/ttyUSB0?stop=3: stop \"3\" is not 1 or 2");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?echo=on"),
              "rtu:///dev/ttyUSB0?echo=on: echo \"on\" is not 0 or 1");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?turnaround=100"),
              "rtu:///dev/ttyUSB0?turnaround=100: turnaround: \"100\" needs a unit (ms, s, m or h)");
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?timeout=0s"),
              "rtu:///dev/ttyUSB0?timeout=0s: timeout must be longer than 0 ms");
    EXPECT_EQ(parse_error("tcp+listen://0.0.0.0:502?allow=10.0.0.300"),
              "tcp+listen://0.0.0.0:502?allow=10.0.0.300: allow: \"10.0.0.300\" is not an IP address");
}

TEST(BusOptions, UnknownKeysAndKeysOfOtherSchemesAreErrors) {
    EXPECT_EQ(parse_error("rtu:///dev/ttyUSB0?bauds=9600"),
              "rtu:///dev/ttyUSB0?bauds=9600: unknown key \"bauds\" for rtu:// (known: baud, data, "
              "echo, gap, parity, pause, stop, timeout, turnaround)");
    // The converter owns the serial line: its baud rate is set there, not here.
    EXPECT_NE(parse_error("rtu+tcp://10.0.0.9:8899?baud=9600").find("unknown key \"baud\""),
              std::string::npos);
    EXPECT_NE(parse_error("tcp+listen://0.0.0.0:502?echo=1").find("unknown key \"echo\""),
              std::string::npos);
    EXPECT_NE(parse_error("rtu:///dev/ttyUSB0?allow=10.0.0.1").find("unknown key \"allow\""),
              std::string::npos);
}

}  // namespace
}  // namespace regpoll::transport
