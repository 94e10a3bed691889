#include "plan/bus_time.hpp"

#include <gtest/gtest.h>

namespace regpoll::plan {
namespace {

TEST(BusTime, RtuFrameTimeFromBytesAndSilence) {
    Block b{modbus::RegisterKind::holding, 0, 10, {0}};
    LineSettings line{9600, 11, SerialFraming::rtu};
    // request 8 bytes + response 5 + 20 bytes = 33 characters of 11 bits, plus 2 × 3.5 chars
    const double expected = 33 * 11.0 / 9600 + 2 * 3.5 * 11.0 / 9600;
    EXPECT_NEAR(block_wire_seconds(b, line), expected, 1e-9);
    // above 19200 baud the silence is a fixed 1.75 ms
    LineSettings fast{115200, 11, SerialFraming::rtu};
    EXPECT_NEAR(block_wire_seconds(b, fast), 33 * 11.0 / 115200 + 2 * 0.00175, 1e-9);
}

TEST(BusTime, UtilisationWarnsWhenTheLineCannotKeepUp) {
    DevicePlan plan;
    PollGroup g;
    g.interval = std::chrono::seconds(1);
    for (int i = 0; i < 4; ++i) g.blocks.push_back(Block{modbus::RegisterKind::input, 0, 125, {0}});
    plan.groups.push_back(g);
    LineSettings line{9600, 11, SerialFraming::rtu};
    EXPECT_GT(line_utilisation(plan, line), 1.0);  // 4 × 125 registers at 9600 baud take > 1 s
    line.baud = 115200;
    EXPECT_LT(line_utilisation(plan, line), 1.0);
}

}  // namespace
}  // namespace regpoll::plan
