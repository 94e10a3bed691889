#include "modbus/frame_dump.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"

namespace regpoll::modbus {
namespace {

TEST(FrameDump, PyModbusTcpStyle) {
    EXPECT_EQ(dump_frame(Framing::mbap, test::hex("E7 53 00 00 00 06 01 03 00 00 00 04")),
              "[E7 53 00 00 00 06 01] 03 00 00 00 04");
    EXPECT_EQ(dump_frame(Framing::rtu, test::hex("01 03 02 00 F6 38 02")), "[01] 03 02 00 F6 [38 02]");
    EXPECT_EQ(dump_frame(Framing::ascii, test::ascii_bytes(":010300000001FB\r\n")),
              ":010300000001FB");
    EXPECT_EQ(dump_frame(Framing::mbap, test::hex("00 01")), "00 01");
}

}  // namespace
}  // namespace regpoll::modbus
