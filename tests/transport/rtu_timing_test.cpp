#include "transport/rtu_timing.hpp"

#include <gtest/gtest.h>

namespace regpoll::transport {
namespace {

using std::chrono::nanoseconds;

struct TimingCase {
    LineFormat line;
    unsigned bits;
    long long character_ns;
    long long t15_ns;
    long long t35_ns;
};

// Reference values: MSL §2.5.1.1 and the research notes (§4.3): 9600 8E1 -> 1.146 ms per
// character, t1.5 1.719 ms, t3.5 4.010 ms; above 19200 baud the fixed 750/1750 µs.
const TimingCase cases[] = {
    {{9600, Parity::even, 8, 1}, 11, 1'145'833, 1'718'750, 4'010'416},
    {{19200, Parity::even, 8, 1}, 11, 572'917, 859'375, 2'005'208},
    {{9600, Parity::none, 8, 2}, 11, 1'145'833, 1'718'750, 4'010'416},
    {{9600, Parity::none, 8, 1}, 10, 1'041'667, 1'562'500, 3'645'833},
    {{1200, Parity::odd, 8, 1}, 11, 9'166'667, 13'750'000, 32'083'333},
    {{9600, Parity::even, 7, 1}, 10, 1'041'667, 1'562'500, 3'645'833},  // ASCII 7E1
    {{38400, Parity::even, 8, 1}, 11, 286'458, 750'000, 1'750'000},
    {{115200, Parity::even, 8, 1}, 11, 95'486, 750'000, 1'750'000},
    {{115200, Parity::none, 8, 1}, 10, 86'806, 750'000, 1'750'000},
};

TEST(RtuTiming, CharacterAndSilentIntervals) {
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::Message() << c.line.baud << " baud, " << c.bits << " bits");
        EXPECT_EQ(bits_per_character(c.line), c.bits);
        EXPECT_EQ(character_time(c.line), nanoseconds(c.character_ns));
        const RtuTiming t = rtu_timing(c.line);
        EXPECT_EQ(t.t15, nanoseconds(c.t15_ns));
        EXPECT_EQ(t.t35, nanoseconds(c.t35_ns));
    }
}

TEST(RtuTiming, FixedValuesStartAbove19200) {
    EXPECT_GT(rtu_timing({19200, Parity::even, 8, 1}).t35, nanoseconds(1'750'000));
    EXPECT_EQ(rtu_timing({19201, Parity::even, 8, 1}).t35, nanoseconds(1'750'000));
}

TEST(RtuTiming, WireTimeOfFrames) {
    const LineFormat l9600{9600, Parity::even, 8, 1};
    EXPECT_EQ(wire_time(l9600, 0), nanoseconds(0));
    // An FC3 request (8 bytes) and the answer for 10 registers (25 bytes).
    EXPECT_EQ(wire_time(l9600, 8), nanoseconds(9'166'667));
    EXPECT_EQ(wire_time(l9600, 25), nanoseconds(28'645'833));
    // The largest RTU frame at 115200 baud: 256 * 11 bits.
    EXPECT_EQ(wire_time({115200, Parity::even, 8, 1}, 256), nanoseconds(24'444'444));
    // Baud 0 (an unknown line) has no wire time rather than a division by zero.
    EXPECT_EQ(wire_time({0, Parity::even, 8, 1}, 10), nanoseconds(0));
}

}  // namespace
}  // namespace regpoll::transport
