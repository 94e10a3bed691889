// regpoll probe's readings: every type and order of a block, decoded by the codec, with a
// hint where the reading cannot be a real value. Registers from the shared golden vectors.
#include "app/probe_readings.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace regpoll::app {
namespace {

using codec::Type;
using Registers = std::vector<std::uint16_t>;

const ProbeReading& find(const std::vector<ProbeReading>& readings, std::uint32_t address, Type type,
                         const std::string& order = "") {
    for (const auto& r : readings) {
        if (r.address == address && r.type == type && r.order == order) return r;
    }
    static const ProbeReading none;
    ADD_FAILURE() << "no reading " << codec::type_name(type) << " " << order << " at " << address;
    return none;
}

TEST(ProbeReadings, EveryTypeAndOrderThatFits) {
    const Registers regs{0x47F1, 0x2000, 0x0000, 0x0000};
    const auto readings = probe_readings(regs, 100);
    // per register: uint16, int16, bcd (4 × 3); per pair: 3 types × 4 orders + bcd32 × 2
    // (3 × 14); per four: 3 types × 4 orders (1 × 12).
    EXPECT_EQ(readings.size(), 12U + 42U + 12U);
    EXPECT_EQ(std::get<std::int64_t>(find(readings, 100, Type::uint16).value), 0x47F1);
    EXPECT_EQ(std::get<double>(find(readings, 100, Type::float32, "ABCD").value), 123456.0);
    EXPECT_EQ(find(readings, 100, Type::float32, "ABCD").hint, "");
    EXPECT_EQ(std::get<std::int64_t>(find(readings, 101, Type::uint32, "ABCD").value), 0x20000000);
    EXPECT_EQ(std::get<std::uint64_t>(find(readings, 100, Type::uint64, "ABCDEFGH").value),
              0x47F1200000000000ULL);
    // Nothing 32-bit starts at the last register, nothing 64-bit past the first.
    for (const auto& r : readings) {
        if (r.address == 103) {
            EXPECT_EQ(codec::register_count(r.type, 0), 1U);
        }
        if (r.address > 100) {
            EXPECT_LT(codec::register_count(r.type, 0), 4U);
        }
    }
}

TEST(ProbeReadings, TheWrongWordOrderLooksImplausible) {
    // 123456.0f word-swapped: read as ABCD it is 1.08e-19, as CDAB it is right.
    const auto readings = probe_readings(Registers{0x2000, 0x47F1}, 0);
    EXPECT_EQ(std::get<double>(find(readings, 0, Type::float32, "CDAB").value), 123456.0);
    EXPECT_EQ(find(readings, 0, Type::float32, "CDAB").hint, "");
    EXPECT_EQ(find(readings, 0, Type::float32, "ABCD").hint, "tiny");
    // 1.5 as float64: right in ABCDEFGH, a denormal when read backwards.
    const auto wide = probe_readings(Registers{0x3FF8, 0, 0, 0}, 0);
    EXPECT_EQ(std::get<double>(find(wide, 0, Type::float64, "ABCDEFGH").value), 1.5);
    EXPECT_EQ(find(wide, 0, Type::float64, "ABCDEFGH").hint, "");
    EXPECT_EQ(find(wide, 0, Type::float64, "HGFEDCBA").hint, "denormal");
}

TEST(ProbeReadings, HintsForNanHugeSentinelsAndBadBcd) {
    const auto nan = probe_readings(Registers{0x7FC0, 0x0000}, 0);
    EXPECT_TRUE(std::isnan(std::get<double>(find(nan, 0, Type::float32, "ABCD").value)));
    EXPECT_EQ(find(nan, 0, Type::float32, "ABCD").hint, "NaN");
    const auto inf = probe_readings(Registers{0x7F80, 0x0000}, 0);
    EXPECT_EQ(find(inf, 0, Type::float32, "ABCD").hint, "infinite");
    const auto huge = probe_readings(Registers{0x5F00, 0x0000}, 0);  // 9.2e18
    EXPECT_EQ(find(huge, 0, Type::float32, "ABCD").hint, "huge");
    EXPECT_EQ(find(huge, 0, Type::uint32, "ABCD").hint, "huge");  // 1593835520

    const auto ffff = probe_readings(Registers{0xFFFF, 0xFFFF}, 0);
    EXPECT_EQ(find(ffff, 0, Type::uint16).hint, "all 0xFFFF (often: not available)");
    EXPECT_EQ(find(ffff, 0, Type::float32, "CDAB").hint, "all 0xFFFF (often: not available)");
    const auto lowest = probe_readings(Registers{0x8000, 0x0000}, 0);
    EXPECT_EQ(find(lowest, 0, Type::int16).hint, "lowest value (often: not available)");
    EXPECT_EQ(find(lowest, 0, Type::int32, "ABCD").hint, "lowest value (often: not available)");
    EXPECT_EQ(find(lowest, 0, Type::uint16).hint, "");

    const auto bcd = probe_readings(Registers{0x1234, 0x12AB}, 0);
    EXPECT_EQ(std::get<std::int64_t>(find(bcd, 0, Type::bcd).value), 1234);
    EXPECT_EQ(find(bcd, 0, Type::bcd).hint, "");
    EXPECT_FALSE(codec::is_available(find(bcd, 1, Type::bcd).value));
    EXPECT_EQ(find(bcd, 1, Type::bcd).hint, "not BCD");
    EXPECT_EQ(find(bcd, 0, Type::bcd32, "ABCD").hint, "not BCD");
    const auto bcd32 = probe_readings(Registers{0x5678, 0x1234}, 0);
    EXPECT_EQ(std::get<std::int64_t>(find(bcd32, 0, Type::bcd32, "CDAB").value), 12345678);
    EXPECT_EQ(find(bcd32, 0, Type::uint16).hint, "");
}

TEST(ProbeReadings, TextShowsUnprintableBytesAsHex) {
    EXPECT_EQ(probe_text(Registers{0x4142, 0x3132, 0x0000}), "AB12");
    EXPECT_EQ(probe_text(Registers{0x4142, 0x00FF}), "AB\\x00\\xFF");
    EXPECT_EQ(probe_text(Registers{0x5C41}), "\\x5CA");  // a backslash is escaped too
}

}  // namespace
}  // namespace regpoll::app
