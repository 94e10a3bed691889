#include "transport/uri.hpp"

#include <gtest/gtest.h>

namespace regpoll::transport {
namespace {

TEST(Uri, TcpWithAndWithoutPort) {
    auto u = parse_uri("tcp://192.168.1.10");
    ASSERT_TRUE(u) << u.error();
    EXPECT_EQ(u->scheme, "tcp");
    EXPECT_EQ(u->host, "192.168.1.10");
    EXPECT_EQ(u->port, 502);
    auto p = parse_uri("TCP://inverter.local:1502");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->scheme, "tcp");
    EXPECT_EQ(p->port, 1502);
    EXPECT_EQ(p->to_string(), "tcp://inverter.local:1502");
    auto v6 = parse_uri("tcp://[::1]:5020");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->to_string(), "tcp://[::1]:5020");
}

TEST(Uri, SerialPathAndQuery) {
    auto u = parse_uri("rtu:///dev/ttyUSB0?baud=9600&parity=N&data=8&stop=1");
    ASSERT_TRUE(u) << u.error();
    EXPECT_TRUE(u->is_serial());
    EXPECT_EQ(u->path, "/dev/ttyUSB0");
    EXPECT_EQ(u->param("baud"), "9600");
    EXPECT_EQ(u->param("parity"), "N");
    EXPECT_FALSE(u->param("echo"));
}

TEST(Uri, ConverterAndListenSchemes) {
    auto c = parse_uri("rtu+tcp://192.168.1.60:8899");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->port, 8899);
    auto l = parse_uri("tcp+listen://0.0.0.0:5020?allow=10.0.0.5");
    ASSERT_TRUE(l);
    EXPECT_TRUE(l->is_listen());
    EXPECT_EQ(l->param("allow"), "10.0.0.5");
}

TEST(Uri, ErrorsNameWhatIsWrong) {
    EXPECT_EQ(parse_uri("192.168.1.10").error(),
              "\"192.168.1.10\" is not a URI (expected e.g. tcp://192.168.1.10:502)");
    EXPECT_NE(parse_uri("udp://x").error().find("unknown scheme \"udp\""), std::string::npos);
    EXPECT_NE(parse_uri("tcp://:502").error().find("has no host"), std::string::npos);
    EXPECT_NE(parse_uri("tcp://h:70000").error().find("port \"70000\""), std::string::npos);
    EXPECT_NE(parse_uri("tcp://h:0").error().find("port \"0\""), std::string::npos);
    EXPECT_NE(parse_uri("tcp://h:x").error().find("port \"x\""), std::string::npos);
    EXPECT_NE(parse_uri("rtu+tcp://h").error().find("needs a port"), std::string::npos);
    EXPECT_NE(parse_uri("rtu://ttyUSB0").error().find("no device path"), std::string::npos);
    EXPECT_NE(parse_uri("rtu:///dev/x?baud").error().find("not key=value"), std::string::npos);
}

}  // namespace
}  // namespace regpoll::transport
