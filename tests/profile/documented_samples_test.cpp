// Where a profile's source documents a sample (a request/response pair, an example value or
// a status code with its meaning), the shipped profile decodes it to what the source says.
#include <gtest/gtest.h>

#include "codec/value.hpp"
#include "poll/point_decoder.hpp"
#include "profile/profile_loader.hpp"

namespace regpoll::profile {
namespace {

codec::Value decode(const std::string& profile_name, const std::string& point_name,
                    std::vector<std::uint16_t> registers) {
    Diagnostics diag;
    auto profile = load_profile(std::string(REGPOLL_SOURCE_DIR) + "/devices/" + profile_name + ".json", diag);
    if (!profile) {
        ADD_FAILURE() << profile_name << " does not load";
        return {};
    }
    for (const auto& p : profile->points) {
        if (p.name != point_name) continue;
        poll::Quality quality{};
        std::string error;
        auto value = poll::decode_point(p, registers, std::nullopt, quality, error);
        EXPECT_EQ(error, "") << profile_name << "/" << point_name;
        return value;
    }
    ADD_FAILURE() << profile_name << " has no point " << point_name;
    return {};
}

// MinimalModbus tests/test_omegacn7500.py: 01 03 10 00 00 01 -> 01 03 02 00 F6, "PV 24.6".
TEST(DocumentedSamples, OmegaCn7500ProcessValue) {
    EXPECT_EQ(decode("omega/cn7500", "pv", {0x00F6}), codec::Value(24.6));
}

// Huawei's register table (hotswapster/sun2000_rs485, EDOC1100113918 V3.0): 32089 status
// 0x0200 is on-grid, 0xA000 standby without irradiation; 32085 frequency in 0.01 Hz.
TEST(DocumentedSamples, HuaweiSun2000StatusAndFrequency) {
    EXPECT_EQ(decode("huawei/sun2000", "device_status", {0x0200}), codec::Value(std::string("on-grid")));
    EXPECT_EQ(decode("huawei/sun2000", "device_status", {0xA000}),
              codec::Value(std::string("standby: no irradiation")));
    EXPECT_EQ(decode("huawei/sun2000", "grid_frequency", {5001}), codec::Value(50.01));
}

// SMA's sentinels (evcc util/modbus/register.go): S32 0x80000000 and U64 all ones are "not
// available", in the PV and the storage profile alike.
TEST(DocumentedSamples, SmaNotAvailableSentinels) {
    EXPECT_FALSE(codec::is_available(decode("sma/sunny-boy", "ac_power", {0x8000, 0x0000})));
    EXPECT_FALSE(codec::is_available(decode("sma/storage", "battery_charged_energy", {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})));
    EXPECT_EQ(decode("sma/storage", "battery_charged_energy", {0, 0, 0x0001, 0xE240}), codec::Value(123.456));
    EXPECT_EQ(decode("sma/storage", "battery_soc", {0, 87}), codec::Value(std::int64_t{87}));
}

double number(const codec::Value& value) {
    auto d = codec::to_double(value);
    EXPECT_TRUE(d.has_value());
    return d.value_or(0.0);
}

// The meters' encodings as their sources state them (volkszaehler/mbmd's transforms): raw
// registers built by hand decode to the engineering value, so a wrong word order, width or
// divisor in a profile fails here rather than on a user's meter.

// Carlo Gavazzi EM24: INT32 least significant word first, V and W in tenths; INT16 Hz in tenths.
TEST(DocumentedSamples, CarloGavazziEm24LowWordFirst) {
    EXPECT_NEAR(number(decode("carlo-gavazzi/em24", "voltage_l1", {0x08FC, 0x0000})), 230.0, 1e-9);
    EXPECT_NEAR(number(decode("carlo-gavazzi/em24", "power", {0xCFC7, 0xFFFF})), -1234.5, 1e-9);
    EXPECT_NEAR(number(decode("carlo-gavazzi/em24", "frequency", {500})), 50.0, 1e-9);
    EXPECT_NEAR(number(decode("carlo-gavazzi/em340", "current_l1", {0x3E80, 0x0000})), 16.0, 1e-9);
}

// CHINT DTSU666: float32 carrying tenths of a volt and thousandths of an ampere.
TEST(DocumentedSamples, ChintDtsu666ScaledFloats) {
    EXPECT_NEAR(number(decode("chint/dtsu666", "voltage_l1", {0x450F, 0xC000})), 230.0, 1e-9);  // 2300.0f
    EXPECT_NEAR(number(decode("chint/dtsu666", "current_l1", {0x467A, 0x0000})), 16.0, 1e-9);   // 16000.0f
}

// Schneider iEM3xxx: energies are signed 64-bit Wh, high word first.
TEST(DocumentedSamples, SchneiderIem3xxxInt64Energy) {
    EXPECT_EQ(decode("schneider/iem3xxx", "import_energy", {0, 0, 0x0001, 0xE240}), codec::Value(std::int64_t{123456}));
    EXPECT_EQ(decode("schneider/iem3xxx", "export_energy", {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE}), codec::Value(std::int64_t{-2}));
}

// ABB B23/B24: uint64 energy in hundredths of a kWh; all ones (unsigned) and 0x7FFF...
// (signed) mean "not available".
TEST(DocumentedSamples, AbbB23NotAvailableAndUint64Energy) {
    EXPECT_NEAR(number(decode("abb/b23-b24", "import_energy", {0, 0, 0x0001, 0xE240})), 1234.56, 1e-9);
    EXPECT_FALSE(codec::is_available(decode("abb/b23-b24", "voltage_l1", {0xFFFF, 0xFFFF})));
    EXPECT_FALSE(codec::is_available(decode("abb/b23-b24", "power", {0x7FFF, 0xFFFF})));
    EXPECT_FALSE(codec::is_available(decode("abb/b23-b24", "power_factor", {0x7FFF})));
    EXPECT_NEAR(number(decode("abb/b23-b24", "power", {0xFFFF, 0xFF9C})), -1.0, 1e-9);
}

// Alfen Eve: the energy counter is a float64 in Wh.
TEST(DocumentedSamples, AlfenEveFloat64Energy) {
    EXPECT_NEAR(number(decode("alfen/eve", "energy", {0x40C8, 0x1CC0, 0x0000, 0x0000})), 12345.5, 1e-9);
}

// NIBE S-series: 32-bit values low word first (the heat pump's default word swap), tenths.
TEST(DocumentedSamples, NibeSSeriesWordSwappedDegreeMinutes) {
    EXPECT_NEAR(number(decode("nibe/s-series", "degree_minutes", {0xCFC7, 0xFFFF})), -1234.5, 1e-9);
    EXPECT_NEAR(number(decode("nibe/s-series", "outdoor_temperature_bt1", {0xFF9C})), -10.0, 1e-9);
}

// Stiebel Eltron ISG: int16 tenths, and -32768 where the installation has no such sensor.
TEST(DocumentedSamples, StiebelIsgNotAvailable) {
    EXPECT_FALSE(codec::is_available(decode("stiebel-eltron/isg-wpm", "outdoor_temperature", {0x8000})));
    EXPECT_NEAR(number(decode("stiebel-eltron/isg-wpm", "outdoor_temperature", {0xFFEC})), -2.0, 1e-9);
}

// kellerza/sunsynk tests (src/tests/sunsynk/test_sensors.py, test_helpers.py): a TempSensor
// reads 1000 as 0 °C; a signed 16-bit power 0xFFFF is -1 W; 32-bit values come low word first,
// so 0x7FFFFFFF is the registers (0xFFFF, 0x7FFF).
TEST(DocumentedSamples, DeyeTemperatureOffsetSignedPowerAndLowWordFirst) {
    EXPECT_EQ(decode("deye/sun-sg04lp3", "battery_temperature", {1000}), codec::Value(0.0));
    EXPECT_EQ(decode("deye/sun-sg04lp3", "grid_power", {0xFFFF}), codec::Value(std::int64_t{-1}));
    EXPECT_EQ(decode("deye/sun-sg04lp3", "total_pv_energy", {0xFFFF, 0x7FFF}), codec::Value(214748364.7));
    EXPECT_EQ(decode("deye/sun-sg-lp1", "battery_temperature", {1000}), codec::Value(0.0));
    EXPECT_EQ(decode("deye/sun-sg-lp1", "total_pv_energy", {0xFFFF, 0x7FFF}), codec::Value(214748364.7));
}

// evcc's sungrow-hybrid template holds the battery by writing 1 ("0.01kW, min allowed value")
// to 33047; mkaiser's modbus_sungrow.yaml reads the MPPT3 registers of an SH10RT as 0xFFFF and
// marks that value "not available".
TEST(DocumentedSamples, SungrowTenWattStepsAndMissingTracker) {
    EXPECT_EQ(decode("sungrow/sh-hybrid", "battery_max_discharge_power", {1}), codec::Value(10.0));
    EXPECT_FALSE(codec::is_available(decode("sungrow/sh-hybrid", "mppt3_voltage", {0xFFFF})));
    // Word-swapped (CDAB) 32-bit: low word first.
    EXPECT_EQ(decode("sungrow/sh-hybrid", "export_power", {0xFF38, 0xFFFF}), codec::Value(std::int64_t{-200}));
}

// kbialek/deye-inverter-mqtt#20: writing 1000 to register 40 of a Deye micro-inverter sets the
// active power regulation to 100 %.
TEST(DocumentedSamples, DeyeMicroPowerRegulationInTenthsOfAPercent) {
    EXPECT_EQ(decode("deye/sun-m-micro", "active_power_limit", {1000}), codec::Value(100.0));
}

}  // namespace
}  // namespace regpoll::profile
