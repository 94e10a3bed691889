// A device's points written into its unit's tables and read back by the poller's own
// planning and decoding: shared scale factors, bits and bytes of one register, aliases,
// coils, gaps, "not available" and values a client writes.
#include <gtest/gtest.h>

#include "sim/device_writer.hpp"
#include "sim_test_support.hpp"

namespace regpoll::sim {
namespace {

using codec::Type;
using test::point;

// SunSpec-like: three currents sharing one scale factor, a voltage with its own.
std::vector<profile::Point> sunspec_points() {
    std::vector<profile::Point> points;
    for (const char* name : {"current_l1", "current_l2", "current_l3"}) {
        auto p = point(name, static_cast<std::uint16_t>(points.size()));
        p.scale_register = "a_sf";
        p.nan = {0xFFFF};
        points.push_back(p);
    }
    auto sf = point("a_sf", 3, Type::int16);
    sf.nan = {0x8000};
    points.push_back(sf);
    auto v = point("voltage", 4, Type::int16);
    v.scale_register = "v_sf";
    points.push_back(v);
    auto vsf = point("v_sf", 5, Type::int16);
    points.push_back(vsf);
    return points;
}

std::vector<codec::Value> values(std::initializer_list<codec::Value> list) {
    return list;
}

void expect_poller_reads_intended(const std::vector<profile::Point>& points,
                                  const server::UnitTables& tables,
                                  const std::vector<codec::Value>& intended) {
    const auto samples = test::poll_tables(points, tables);
    for (std::size_t i = 0; i < points.size(); ++i) {
        auto it = samples.find(points[i].name);
        ASSERT_NE(it, samples.end()) << points[i].name;
        EXPECT_EQ(it->second.value, intended[i]) << points[i].name;
    }
}

TEST(DeviceWriter, PicksTheSmallestExponentThatFitsEveryUserOfAScaleFactor) {
    DeviceWriter writer(sunspec_points(), {});
    EXPECT_TRUE(writer.is_scale_factor(3));
    EXPECT_FALSE(writer.is_scale_factor(0));
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    auto intended = writer.write(values({5.0, 12.5, 40.0, {}, 230.0, {}}), tables, problems);
    EXPECT_TRUE(problems.empty());
    // 40 A at 10^-3 is 40000: fits uint16; 230 V needs 10^-2 in an int16 (23000)
    EXPECT_EQ(intended[3], codec::Value(std::int64_t{-3}));
    EXPECT_EQ(intended[5], codec::Value(std::int64_t{-2}));
    EXPECT_NEAR(*codec::to_double(intended[1]), 12.5, 1e-12);
    expect_poller_reads_intended(writer.points(), tables, intended);

    // 70 A no longer fits at 10^-3: the exponent grows, and stays when values fall again
    intended = writer.write(values({70.0, 1.0, 1.0, {}, 230.0, {}}), tables, problems);
    EXPECT_EQ(intended[3], codec::Value(std::int64_t{-2}));
    intended = writer.write(values({1.0, 1.0, 1.0, {}, 230.0, {}}), tables, problems);
    EXPECT_EQ(intended[3], codec::Value(std::int64_t{-2}));
    expect_poller_reads_intended(writer.points(), tables, intended);
}

TEST(DeviceWriter, AGivenScaleFactorIsUsedOrMakesItsValuesUnavailable) {
    DeviceWriter writer(sunspec_points(), {});
    writer.set_scale_factor_given(3);
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    auto intended =
        writer.write(values({5.0, 6.0, 7.0, std::int64_t{-1}, 230.0, {}}), tables, problems);
    EXPECT_EQ(intended[3], codec::Value(std::int64_t{-1}));
    EXPECT_EQ(tables.registers(modbus::RegisterKind::holding, 0, 1)->at(0), 50);
    expect_poller_reads_intended(writer.points(), tables, intended);

    intended = writer.write(values({5.0, 6.0, 7.0, {}, 230.0, {}}), tables, problems);
    EXPECT_TRUE(problems.empty());
    for (std::size_t i = 0; i < 4; ++i) EXPECT_FALSE(codec::is_available(intended[i])) << i;
    EXPECT_EQ(intended[4], codec::Value(230.0));
    const auto samples = test::poll_tables(writer.points(), tables);
    EXPECT_EQ(samples.at("current_l1").quality, poll::Quality::unavailable);
    EXPECT_FALSE(codec::is_available(samples.at("current_l1").value));
}

TEST(DeviceWriter, BitsAndBytesShareTheirRegisters) {
    std::vector<profile::Point> points;
    for (int bit = 0; bit < 4; ++bit) {
        auto p = point("di" + std::to_string(bit), 48);
        p.bit = bit;
        points.push_back(p);
    }
    auto high = point("mppt_count", 44, Type::uint8);
    high.format.byte = codec::RegisterByte::high;
    auto low = point("grid_phases", 44, Type::uint8);
    points.push_back(high);
    points.push_back(low);
    DeviceWriter writer(points, {});
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    auto intended = writer.write(
        values({true, false, true, true, std::int64_t{2}, std::int64_t{1}}), tables, problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(tables.registers(modbus::RegisterKind::holding, 48, 1)->at(0), 0b1101);
    EXPECT_EQ(tables.registers(modbus::RegisterKind::holding, 44, 1)->at(0), 0x0201);
    expect_poller_reads_intended(points, tables, intended);
}

TEST(DeviceWriter, AWholeRegisterViewOfBitsIsReadBack) {
    auto word = point("di_word", 48);
    auto bit = point("di2", 48);
    bit.bit = 2;
    DeviceWriter writer({word, bit}, {});
    EXPECT_TRUE(writer.is_derived(0));
    EXPECT_FALSE(writer.is_derived(1));
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    auto intended = writer.write(values({std::int64_t{999}, true}), tables, problems);
    EXPECT_EQ(intended[0], codec::Value(std::int64_t{4}));
    expect_poller_reads_intended(writer.points(), tables, intended);
}

TEST(DeviceWriter, CoilsAndDiscreteInputs) {
    auto coil = point("relay0", 0);
    coil.kind = modbus::RegisterKind::coil;
    coil.format.type = Type::boolean;
    auto input = point("door", 7);
    input.kind = modbus::RegisterKind::discrete;
    input.format.type = Type::boolean;
    DeviceWriter writer({coil, input}, {});
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    auto intended = writer.write(values({true, std::int64_t{1}}), tables, problems);
    EXPECT_EQ(intended[1], codec::Value(true));
    EXPECT_EQ(*tables.bits(modbus::RegisterKind::coil, 0, 1), std::vector<bool>{true});
    expect_poller_reads_intended(writer.points(), tables, intended);
}

TEST(DeviceWriter, MapsThePointsAndTheGapsAPollMayBridge) {
    profile::Limits limits;
    limits.max_gap = 4;
    DeviceWriter writer({point("a", 10, Type::uint32), point("b", 16), point("c", 30)}, limits);
    server::UnitTables tables;
    writer.map(tables);
    EXPECT_TRUE(tables.is_mapped(modbus::RegisterKind::holding, 10, 7));   // 12..15 bridged
    EXPECT_FALSE(tables.is_mapped(modbus::RegisterKind::holding, 17, 1));  // 13 apart: not
    EXPECT_FALSE(tables.is_mapped(modbus::RegisterKind::holding, 9, 1));
    EXPECT_TRUE(tables.is_mapped(modbus::RegisterKind::holding, 30, 1));
    EXPECT_FALSE(tables.is_mapped(modbus::RegisterKind::input, 10, 1));
}

TEST(DeviceWriter, WhatAClientWritesSticks) {
    auto limit = point("active_power_limit", 3);
    limit.writable = true;
    auto relay = point("relay", 0);
    relay.kind = modbus::RegisterKind::coil;
    relay.format.type = Type::boolean;
    DeviceWriter writer({limit, relay}, {});
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    writer.write(values({std::int64_t{50}, false}), tables, problems);
    const std::uint16_t eighty = 80;
    ASSERT_FALSE(tables.write_registers(modbus::RegisterKind::holding, 3, std::span(&eighty, 1)));
    ASSERT_FALSE(tables.write_bits(modbus::RegisterKind::coil, 0, {true}));
    auto intended = writer.write(values({std::int64_t{50}, false}), tables, problems);
    EXPECT_EQ(intended[0], codec::Value(std::int64_t{80}));
    EXPECT_EQ(intended[1], codec::Value(true));
    EXPECT_EQ(tables.registers(modbus::RegisterKind::holding, 3, 1)->at(0), 80);
}

TEST(DeviceWriter, ReportsAValueThatCannotBeWrittenOnce) {
    DeviceWriter writer({point("power", 0)}, {});
    server::UnitTables tables;
    writer.map(tables);
    std::vector<std::string> problems;
    writer.write(values({std::string("lots")}), tables, problems);
    writer.write(values({std::string("lots")}), tables, problems);
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_NE(problems[0].find("power: "), std::string::npos);
}

}  // namespace
}  // namespace regpoll::sim
