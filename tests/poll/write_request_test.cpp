#include "poll/write_request.hpp"

#include <gtest/gtest.h>

#include "codec/types.hpp"

namespace regpoll::poll {
namespace {

using codec::Value;
using modbus::Pdu;
using profile::Point;

Point pt(const char* name, const char* type, std::uint16_t address = 40) {
    Point p;
    p.name = name;
    p.address = address;
    p.format.type = *codec::parse_type(type);
    p.writable = true;
    return p;
}

Point coil(const char* name) {
    Point p = pt(name, "bool", 3);
    p.kind = modbus::RegisterKind::coil;
    return p;
}

Point mode_point() {
    Point p = pt("mode", "uint16");
    p.map = {{0, "Load First"}, {1, "Battery First"}, {2, "Grid First"}};
    return p;
}

std::string payload_error(const Point& p, std::string_view payload) {
    auto v = parse_write_payload(p, payload);
    return v ? "accepted: " + codec::format_value(*v) : v.error();
}

Value parsed(const Point& p, std::string_view payload) {
    auto v = parse_write_payload(p, payload);
    EXPECT_TRUE(v) << payload << ": " << (v ? "" : v.error());
    return v ? *v : Value{};
}

TEST(WritePayload, BoolPointsTakeOnOffTrueFalseOneZeroAndJson) {
    const auto relay = coil("relay");
    for (const char* on : {"ON", "on", "true", "TRUE", "1", " 1\n", "{\"value\": true}", "{\"value\":\"ON\"}", "{\"value\":1}"}) {
        EXPECT_EQ(parsed(relay, on), Value(true)) << on;
    }
    for (const char* off : {"OFF", "off", "false", "0", "{\"value\": false}"}) {
        EXPECT_EQ(parsed(relay, off), Value(false)) << off;
    }
    EXPECT_EQ(payload_error(relay, "maybe"), "payload \"maybe\" does not fit point relay: expected ON/OFF, true/false or 1/0");
    EXPECT_EQ(payload_error(relay, "2"), "payload \"2\" does not fit point relay: expected ON/OFF, true/false or 1/0");
    Point bit = pt("alarm_enable", "uint16");
    bit.bit = 4;
    EXPECT_EQ(parsed(bit, "ON"), Value(true));
}

TEST(WritePayload, NumbersForNumericPoints) {
    auto limit = pt("power_limit", "int16");
    limit.format.scale = 0.1;
    EXPECT_EQ(parsed(limit, "55.5"), Value(55.5));
    EXPECT_EQ(parsed(limit, "+12"), Value(std::int64_t{12}));
    EXPECT_EQ(parsed(limit, "{\"value\": 55.5}"), Value(55.5));
    EXPECT_EQ(parsed(limit, "{\"value\": \"-3\"}"), Value(std::int64_t{-3}));
    EXPECT_EQ(payload_error(limit, "ON"), "payload \"ON\" does not fit point power_limit: expected a number (type int16)");
    EXPECT_EQ(payload_error(limit, "12a"), "payload \"12a\" does not fit point power_limit: expected a number (type int16)");
    EXPECT_EQ(payload_error(limit, "{\"value\": true}"), "payload \"{\"value\": true}\" does not fit point power_limit: expected a number (type int16)");
    EXPECT_EQ(payload_error(limit, "nan"), "payload \"nan\" is not a finite number");
    EXPECT_EQ(payload_error(limit, ""), "empty payload for point power_limit: expected a number (type int16)");
    EXPECT_EQ(payload_error(limit, "{\"value\": 1"), "payload \"{\"value\": 1\" is not valid JSON");
    EXPECT_EQ(payload_error(limit, "{\"val\": 1}"), "payload \"{\"val\": 1}\": unknown key \"val\" (expected {\"value\": …})");
    EXPECT_EQ(payload_error(limit, "{}"), "payload \"{}\" has no \"value\" (expected {\"value\": …})");
    EXPECT_EQ(payload_error(limit, "{\"value\": null}"), "payload \"{\"value\": null}\": \"value\" must be a number, a boolean or a text");
    // 64-bit integers stay exact.
    EXPECT_EQ(parsed(pt("counter", "uint64"), "18446744073709551615"), Value(std::uint64_t{18446744073709551615ULL}));
}

TEST(WritePayload, MappedTextsReversedAndRawKeys) {
    const auto mode = mode_point();
    EXPECT_EQ(parsed(mode, "Battery First"), Value(std::int64_t{1}));
    EXPECT_EQ(parsed(mode, "grid first"), Value(std::int64_t{2}));
    EXPECT_EQ(parsed(mode, "{\"value\": \"Load First\"}"), Value(std::int64_t{0}));
    EXPECT_EQ(parsed(mode, "2"), Value(std::int64_t{2}));
    EXPECT_EQ(payload_error(mode, "5"),
              "payload \"5\" does not fit point mode: expected one of Load First (0), Battery First (1), Grid First (2)");
    EXPECT_EQ(payload_error(mode, "Solar First"),
              "payload \"Solar First\" does not fit point mode: expected one of Load First (0), Battery First (1), Grid First (2)");
}

TEST(WritePayload, StringsVerbatim) {
    auto name = pt("site_name", "string");
    name.format.length = 4;
    EXPECT_EQ(parsed(name, "roof A"), Value(std::string("roof A")));
    EXPECT_EQ(parsed(name, "{\"value\": \"roof B\"}"), Value(std::string("roof B")));
    EXPECT_EQ(payload_error(name, "{\"value\": 3}"), "payload \"{\"value\": 3}\" does not fit point site_name: expected a text");
}

TEST(WriteRange, MinAndMaxInEngineeringUnits) {
    auto limit = pt("power_limit", "int16");
    limit.min = 0;
    limit.max = 100;
    EXPECT_FALSE(check_write_range(limit, Value(55.5)));
    EXPECT_FALSE(check_write_range(limit, Value(std::int64_t{100})));
    EXPECT_EQ(check_write_range(limit, Value(100.5)), "100.5 is above the maximum 100 of point power_limit");
    EXPECT_EQ(check_write_range(limit, Value(std::int64_t{-1})), "-1 is below the minimum 0 of point power_limit");
}

TEST(WriteRefusal, NeedsWritableAndAllowed) {
    profile::DeviceConfig dev;
    dev.name = "inverter";
    auto limit = pt("power_limit", "int16");
    auto serial = pt("serial", "uint16");
    serial.writable = false;
    dev.points = {limit, serial};
    EXPECT_EQ(write_refusal(dev, serial),
              "point serial of device inverter is not writable (its profile does not mark it \"writable\")");
    EXPECT_EQ(write_refusal(dev, limit), "writes to point power_limit of device inverter are not allowed (the site "
                                         "configuration lists the points it allows in the device's \"writes\", or \"all\")");
    dev.writes = {"power_limit"};
    EXPECT_FALSE(write_refusal(dev, limit));
    dev.writes.clear();
    dev.writes_all = true;
    EXPECT_FALSE(write_refusal(dev, limit));
    EXPECT_TRUE(write_refusal(dev, serial));
}

Pdu write_of(const Point& p, const Value& v, std::optional<std::int64_t> sf = {}, std::optional<std::uint16_t> cur = {}) {
    auto pdu = make_point_write(p, v, sf, cur);
    EXPECT_TRUE(pdu) << (pdu ? "" : pdu.error());
    return pdu ? *pdu : Pdu{};
}

TEST(WriteRequest, FunctionFromKindAndWidth) {
    EXPECT_EQ(write_of(coil("relay"), Value(true)), (Pdu{5, 0, 3, 0xFF, 0x00}));
    auto relay15 = coil("relay");
    relay15.write_function = 15;
    EXPECT_EQ(write_of(relay15, Value(false)), (Pdu{15, 0, 3, 0, 1, 1, 0x00}));

    auto limit = pt("power_limit", "int16");
    limit.format.scale = 0.1;
    EXPECT_EQ(write_of(limit, Value(55.5)), (Pdu{6, 0, 40, 0x02, 0x2B}));  // 555
    EXPECT_EQ(write_of(limit, Value(-1.0)), (Pdu{6, 0, 40, 0xFF, 0xF6}));  // -10
    limit.write_function = 16;
    EXPECT_EQ(write_of(limit, Value(55.5)), (Pdu{16, 0, 40, 0, 1, 2, 0x02, 0x2B}));

    // float32 in CDAB order: 55.5f = 0x425E0000, low word first.
    auto setpoint = pt("setpoint", "float32");
    setpoint.format.word_order = codec::WordOrder::little;
    EXPECT_EQ(write_of(setpoint, Value(55.5)), (Pdu{16, 0, 40, 0, 2, 4, 0x00, 0x00, 0x42, 0x5E}));

    EXPECT_EQ(write_of(mode_point(), Value(std::int64_t{2})), (Pdu{6, 0, 40, 0, 2}));
}

TEST(WriteRequest, ScaleRegisterExponentApplied) {
    auto w = pt("w_max_lim", "uint16");
    w.scale_register = "w_max_lim_sf";
    EXPECT_EQ(write_of(w, Value(55.5), -1), (Pdu{6, 0, 40, 0x02, 0x2B}));
    EXPECT_EQ(write_of(w, Value(std::int64_t{1200}), 2), (Pdu{6, 0, 40, 0, 12}));
}

TEST(WriteRequest, BitsAndBytesKeepTheRestOfTheRegister) {
    auto bit = pt("enable", "uint16");
    bit.bit = 0;
    EXPECT_EQ(write_of(bit, Value(true), {}, 0x00F0), (Pdu{6, 0, 40, 0x00, 0xF1}));
    EXPECT_EQ(write_of(bit, Value(false), {}, 0x00F1), (Pdu{6, 0, 40, 0x00, 0xF0}));
    EXPECT_FALSE(make_point_write(bit, Value(true), {}, {}));  // never without the current register
    bit.write_function = 22;
    EXPECT_EQ(write_of(bit, Value(true)), (Pdu{22, 0, 40, 0xFF, 0xFE, 0x00, 0x01}));

    auto hi = pt("hi", "uint8");
    hi.format.byte = codec::RegisterByte::high;
    EXPECT_EQ(write_of(hi, Value(std::int64_t{0x12}), {}, 0xABCD), (Pdu{6, 0, 40, 0x12, 0xCD}));
    hi.write_function = 22;
    EXPECT_EQ(write_of(hi, Value(std::int64_t{0x12})), (Pdu{22, 0, 40, 0x00, 0xFF, 0x12, 0x00}));
}

TEST(WriteRequest, ValuesTheTypeCannotHoldAreRefused) {
    auto limit = pt("power_limit", "int16");
    limit.format.scale = 0.1;
    auto r = make_point_write(limit, Value(4000.0), {}, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("power_limit"), std::string::npos) << r.error();
}

TEST(WriteInputs, WhatIsReadFirst) {
    profile::DeviceConfig dev;
    auto sf = pt("w_sf", "int16", 41);
    auto w = pt("w", "uint16");
    w.scale_register = "w_sf";
    auto bit = pt("enable", "uint16");
    bit.bit = 2;
    dev.points = {sf, w, bit};
    EXPECT_EQ(write_inputs(dev, w).scale_point, &dev.points[0]);
    EXPECT_FALSE(write_inputs(dev, w).current_register);
    EXPECT_TRUE(write_inputs(dev, bit).current_register);
    dev.points.edit()[2].write_function = 22;
    EXPECT_FALSE(write_inputs(dev, dev.points[2]).current_register);
    EXPECT_EQ(make_point_read(coil("relay")), (Pdu{1, 0, 3, 0, 1}));
    EXPECT_EQ(make_point_read(pt("x", "float32")), (Pdu{3, 0, 40, 0, 2}));
}

}  // namespace
}  // namespace regpoll::poll
