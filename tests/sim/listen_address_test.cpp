#include <gtest/gtest.h>

#include "sim/listen_address.hpp"

namespace regpoll::sim {
namespace {

TEST(ListenAddress, NetworkListeners) {
    auto tcp = parse_listen_address("tcp://127.0.0.1:5020");
    ASSERT_TRUE(tcp) << tcp.error();
    EXPECT_FALSE(tcp->serial);
    EXPECT_EQ(tcp->framing, modbus::Framing::mbap);
    EXPECT_EQ(tcp->host, "127.0.0.1");
    EXPECT_EQ(tcp->port, 5020);
    EXPECT_EQ(parse_listen_address("tcp://0.0.0.0")->port, 502);
    EXPECT_EQ(parse_listen_address("tcp://127.0.0.1:0")->port, 0);  // any free port
    auto rtu = parse_listen_address("rtu+tcp://127.0.0.1:4001");
    EXPECT_EQ(rtu->framing, modbus::Framing::rtu);
    EXPECT_EQ(rtu->to_string(), "rtu+tcp://127.0.0.1:4001");
    EXPECT_EQ(parse_listen_address("ascii+tcp://[::1]:4002")->host, "::1");
    EXPECT_EQ(parse_listen_address("ascii+tcp://[::1]:4002")->to_string(),
              "ascii+tcp://[::1]:4002");
}

TEST(ListenAddress, SerialListeners) {
    auto rtu = parse_listen_address("rtu:///dev/ttyUSB0?baud=9600&parity=N");
    ASSERT_TRUE(rtu) << rtu.error();
    EXPECT_TRUE(rtu->serial);
    EXPECT_EQ(rtu->device, "/dev/ttyUSB0");
    EXPECT_EQ(rtu->baud, 9600U);
    EXPECT_EQ(rtu->parity, 'N');
    EXPECT_EQ(rtu->stop_bits, 2U);  // no parity: two stop bits, as the specification says
    auto ascii = parse_listen_address("ascii:///tmp/pty-a");
    EXPECT_EQ(ascii->framing, modbus::Framing::ascii);
    EXPECT_EQ(ascii->data_bits, 7U);
    EXPECT_EQ(ascii->parity, 'E');
    EXPECT_EQ(ascii->stop_bits, 1U);
    EXPECT_EQ(ascii->to_string(), "ascii:///tmp/pty-a");
}

TEST(ListenAddress, ErrorsNameTheUriAndTheProblem) {
    const auto error = [](const char* uri) { return parse_listen_address(uri).error(); };
    EXPECT_EQ(error("localhost:502"),
              "\"localhost:502\" is not a URI (expected e.g. tcp://127.0.0.1:5020)");
    EXPECT_NE(error("udp://1.2.3.4:5").find("unknown scheme \"udp\""), std::string::npos);
    EXPECT_NE(error("tcp://:5020").find("has no host"), std::string::npos);
    EXPECT_NE(error("rtu+tcp://127.0.0.1").find("needs a port"), std::string::npos);
    EXPECT_NE(error("tcp://127.0.0.1:70000").find("is not 0-65535"), std::string::npos);
    EXPECT_NE(error("rtu://ttyUSB0").find("has no device path"), std::string::npos);
    EXPECT_NE(error("rtu:///dev/x?speed=9600").find("\"speed=9600\""), std::string::npos);
    EXPECT_NE(error("rtu:///dev/x?parity=X").find("parity=N|E|O"), std::string::npos);
}

}  // namespace
}  // namespace regpoll::sim
