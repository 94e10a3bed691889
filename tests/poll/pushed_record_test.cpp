// Records a Shine datalogger pushes, decoded with a device's points: the captured MIN record
// gives the listed values, points outside the record's blocks get no sample, and the record's
// own clock is used only when plausible.
#include "poll/pushed_record.hpp"

#include <gtest/gtest.h>

#include "../shine/hex.hpp"
#include "../shine/vectors.hpp"
#include "codec/types.hpp"

namespace regpoll::poll {
namespace {

using profile::Point;

Point pt(const char* name, std::uint16_t address, const char* type, double scale,
         modbus::RegisterKind kind = modbus::RegisterKind::input) {
    Point p;
    p.name = name;
    p.kind = kind;
    p.address = address;
    p.format.type = *codec::parse_type(type);
    p.format.scale = scale;
    return p;
}

shine::DataRecord captured_min_record() {
    const auto bytes = test::unhex(test::shine_vectors::v7_data_v6);
    const auto cut = shine::cut_frame(bytes);
    auto rec = shine::decode_data_record(cut.frame);
    EXPECT_TRUE(rec);
    return *rec;
}

double number(const std::vector<Sample>& samples, const std::string& name) {
    for (const auto& s : samples) {
        if (*s.point == name) return *codec::to_double(s.value);
    }
    ADD_FAILURE() << "no sample for " << name;
    return -1;
}

TEST(PushedRecord, CapturedMinRecordDecodesWithTheDevicesPoints) {
    const std::vector<Point> points{
        pt("pv_power", 3001, "int32", 0.1),
        pt("pv1_voltage", 3003, "uint16", 0.1),
        pt("ac_power", 3023, "int32", 0.1),
        pt("grid_frequency", 3025, "uint16", 0.01),
        pt("energy_total", 3051, "int32", 0.1),
        pt("temperature", 3093, "uint16", 0.1),
        pt("outside", 3300, "uint16", 1),   // beyond the record's blocks
        pt("straddles", 3124, "int32", 1),  // half in each block: not in one block
        pt("holding_3", 3, "uint16", 1, modbus::RegisterKind::holding),  // another kind
    };
    std::vector<Sample> samples;
    const std::string device = "inverter";
    const auto errors =
        decode_pushed_blocks(points, modbus::RegisterKind::input, captured_min_record().blocks,
                             1699087919000, device, samples);
    EXPECT_TRUE(errors.empty());
    ASSERT_EQ(samples.size(), 6U);
    EXPECT_DOUBLE_EQ(number(samples, "pv_power"), 295.0);
    EXPECT_DOUBLE_EQ(number(samples, "pv1_voltage"), 180.7);
    EXPECT_DOUBLE_EQ(number(samples, "ac_power"), 283.2);
    EXPECT_DOUBLE_EQ(number(samples, "grid_frequency"), 50.0);
    EXPECT_DOUBLE_EQ(number(samples, "energy_total"), 6771.7);
    EXPECT_DOUBLE_EQ(number(samples, "temperature"), 23.7);
    for (const auto& s : samples) {
        EXPECT_EQ(s.ts_ms, 1699087919000);
        EXPECT_EQ(*s.device, "inverter");
    }
}

TEST(PushedRecord, AnnounceCarriesHoldingRegisters) {
    EXPECT_EQ(pushed_kind(0x03), modbus::RegisterKind::holding);
    EXPECT_EQ(pushed_kind(0x04), modbus::RegisterKind::input);
    EXPECT_EQ(pushed_kind(0x50), modbus::RegisterKind::input);
}

TEST(PushedRecord, RecordTimeIsUsedWhenPlausible) {
    const shine::RecordTime t{2023, 11, 4, 8, 51, 59};
    const std::int64_t utc = 1699087919000;  // 2023-11-04 08:51:59 UTC
    EXPECT_EQ(record_time_ms(t, 0, utc + 5000, false), utc);
    EXPECT_EQ(record_time_ms(t, 60, utc, false), utc - 3600000);  // the logger runs at +01:00
    // A live record an hour and more off: the logger clock is wrong, use the arrival time.
    EXPECT_FALSE(record_time_ms(t, 0, utc + 2 * 3600000, false));
    EXPECT_FALSE(record_time_ms(t, 0, utc - 2 * 3600000, false));
    // Buffered records may be days old, but not from the future nor from months ago.
    EXPECT_EQ(record_time_ms(t, 0, utc + 3 * 86400000LL, true), utc);
    EXPECT_FALSE(record_time_ms(t, 0, utc + 40 * 86400000LL, true));
    EXPECT_FALSE(record_time_ms(std::nullopt, 0, utc, false));
    EXPECT_FALSE(record_time_ms(shine::RecordTime{2023, 13, 4, 8, 51, 59}, 0, utc, false));
}

}  // namespace
}  // namespace regpoll::poll
