#include "poll/point_decoder.hpp"

#include <gtest/gtest.h>

#include "codec/types.hpp"

namespace regpoll::poll {
namespace {

using profile::Point;

Point pt(const char* name, std::uint16_t address, const char* type) {
    Point p;
    p.name = name;
    p.address = address;
    p.format.type = *codec::parse_type(type);
    return p;
}

struct Fixture {
    std::vector<Point> points;
    plan::PollGroup group;
    std::vector<BlockData> data;
    std::string device = "dev";
    std::vector<Sample> samples;

    // One block over all points, registers given.
    void one_block(std::vector<std::uint16_t> regs) {
        group.points.clear();
        plan::Block b{modbus::RegisterKind::holding, 0, static_cast<std::uint16_t>(regs.size()), {}};
        for (std::size_t i = 0; i < points.size(); ++i) {
            group.points.push_back(i);
            b.points.push_back(i);
        }
        group.blocks = {b};
        data = {BlockData{std::move(regs), {}, true}};
    }
    std::vector<DecodeError> run() { return decode_group(points, group, data, 1763632800123, device, samples); }
    const Sample& sample(const std::string& name) {
        for (const auto& s : samples) {
            if (*s.point == name) return s;
        }
        throw std::runtime_error("no sample " + name);
    }
};

TEST(PointDecoder, TypesBitsMapsAndNan) {
    Fixture f;
    f.points = {pt("temp", 0, "int16"), pt("flag", 1, "uint16"), pt("status", 2, "uint16"), pt("energy", 3, "uint32"),
                pt("power", 5, "float32")};
    f.points[0].format.scale = 0.1;
    f.points[1].bit = 3;
    f.points[2].map = {{0, "waiting"}, {1, "normal"}};
    f.points[3].nan = {0xFFFFFFFF};
    f.points[4].format.word_order = codec::WordOrder::little;
    f.one_block({static_cast<std::uint16_t>(-215), 0x0008, 1, 0xFFFF, 0xFFFF, 0x2000, 0x47F1});
    ASSERT_TRUE(f.run().empty());
    EXPECT_DOUBLE_EQ(std::get<double>(f.sample("temp").value), -21.5);
    EXPECT_EQ(std::get<bool>(f.sample("flag").value), true);
    EXPECT_EQ(std::get<std::string>(f.sample("status").value), "normal");
    EXPECT_EQ(f.sample("energy").quality, Quality::unavailable);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(f.sample("energy").value));
    EXPECT_DOUBLE_EQ(std::get<double>(f.sample("power").value), 123456.0);
    EXPECT_EQ(f.sample("power").ts_ms, 1763632800123);
}

TEST(PointDecoder, UnknownMapValueIsShownAsItsNumber) {
    Fixture f;
    f.points = {pt("status", 0, "uint16")};
    f.points[0].map = {{0, "waiting"}};
    f.one_block({7});
    f.run();
    EXPECT_EQ(std::get<std::string>(f.sample("status").value), "7");
}

TEST(PointDecoder, BitsShowTheNamesOfTheSetBits) {
    Fixture f;
    f.points = {pt("events", 0, "uint32"), pt("none", 2, "uint16"), pt("gone", 3, "uint16")};
    f.points[0].bits = {{0, "GROUND_FAULT"}, {17, "OUTPUT_OVER_CURRENT"}, {31, "HIGH"}};
    f.points[1].bits = {{0, "A"}};
    f.points[2].bits = {{0, "A"}};
    f.points[2].nan = {0xFFFF};
    f.one_block({0x0002, 0x0001, 0x0000, 0xFFFF});
    ASSERT_TRUE(f.run().empty());
    EXPECT_EQ(std::get<std::string>(f.sample("events").value), "GROUND_FAULT,OUTPUT_OVER_CURRENT");
    EXPECT_EQ(std::get<std::string>(f.sample("none").value), "");
    EXPECT_EQ(f.sample("gone").quality, Quality::unavailable);
}

TEST(PointDecoder, SunSpecScaleFactorFromAnotherPoint) {
    Fixture f;
    f.points = {pt("power", 0, "int16"), pt("power_sf", 1, "int16")};
    f.points[0].scale_register = "power_sf";
    f.points[1].nan = {0x8000};
    f.one_block({1234, static_cast<std::uint16_t>(-1)});
    f.group.points = {0};  // the group emits power only; power_sf is read for it
    ASSERT_TRUE(f.run().empty());
    ASSERT_EQ(f.samples.size(), 1U);
    EXPECT_DOUBLE_EQ(std::get<double>(f.sample("power").value), 123.4);
    // a scale factor marked "not implemented" makes the value unavailable, not wrong
    f.samples.clear();
    f.data[0].registers = {1234, 0x8000};
    f.run();
    EXPECT_EQ(f.sample("power").quality, Quality::unavailable);
}

TEST(PointDecoder, PrecisionRoundsDoubles) {
    Fixture f;
    f.points = {pt("v", 0, "float32")};
    f.points[0].precision = 1;
    f.one_block({0x4376, 0x3333});  // 246.2 as float32 ≈ 246.19999694824219
    f.run();
    EXPECT_DOUBLE_EQ(std::get<double>(f.sample("v").value), 246.2);
}

TEST(PointDecoder, AFailedReadGivesNoSamplesNeverStaleOnes) {
    Fixture f;
    f.points = {pt("a", 0, "uint16")};
    f.one_block({1});
    f.data[0].ok = false;
    EXPECT_TRUE(f.run().empty());
    EXPECT_TRUE(f.samples.empty());
}

TEST(PointDecoder, UndecodableValueIsReportedNotGuessed) {
    Fixture f;
    f.points = {pt("code", 0, "bcd")};
    f.one_block({0x12AB});
    auto errors = f.run();
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_TRUE(f.samples.empty());
}

TEST(PointDecoder, BitBlocks) {
    Fixture f;
    f.points = {pt("relay", 4, "bool")};
    f.points[0].kind = modbus::RegisterKind::coil;
    f.group.points = {0};
    f.group.blocks = {plan::Block{modbus::RegisterKind::coil, 2, 4, {0}}};
    f.data = {BlockData{{}, {false, false, true, false}, true}};
    f.run();
    EXPECT_EQ(std::get<bool>(f.sample("relay").value), true);
}

TEST(PointDecoder, CoilsWithAMapReportTheirTexts) {
    Point door = pt("door", 0, "bool");
    door.kind = modbus::RegisterKind::coil;
    door.map = {{0, "closed"}, {1, "open"}};
    EXPECT_EQ(bit_value(door, true), codec::Value(std::string("open")));
    EXPECT_EQ(bit_value(door, false), codec::Value(std::string("closed")));
    door.map = {{1, "alarm"}};
    EXPECT_EQ(bit_value(door, false), codec::Value(std::string("0")));
    door.map.clear();
    EXPECT_EQ(bit_value(door, true), codec::Value(true));
}

TEST(PointDecoder, AScaleFactorKeptFromASlowerGroup) {
    Fixture f;
    f.points = {pt("power", 0, "int16"), pt("power_sf", 40, "int16")};
    f.points[0].scale_register = "power_sf";
    f.group.points = {0};
    f.group.kept = {1};
    f.group.blocks = {plan::Block{modbus::RegisterKind::holding, 0, 1, {0}}};
    f.data = {BlockData{{1234}, {}, true}};
    // Not read yet: no value, and a message that says why.
    KeptScales kept;
    auto errors = decode_group(f.points, f.group, f.data, 0, f.device, f.samples, &kept);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_NE(errors[0].message.find("has not been read yet"), std::string::npos) << errors[0].message;
    EXPECT_TRUE(f.samples.empty());
    kept[1] = {static_cast<std::uint16_t>(-2)};
    errors = decode_group(f.points, f.group, f.data, 0, f.device, f.samples, &kept);
    ASSERT_TRUE(errors.empty());
    EXPECT_DOUBLE_EQ(std::get<double>(f.sample("power").value), 12.34);
}

}  // namespace
}  // namespace regpoll::poll
