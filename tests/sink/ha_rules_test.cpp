// Home Assistant's unit / device class / state class rules as a table, each row citing the
// HA source it comes from, and every shipped profile checked against them (D9, D10).
#include "sink/ha_rules.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "profile/profile_loader.hpp"

namespace regpoll::sink {
namespace {

struct Row {
    const char* unit;
    const char* device_class;
    const char* state_class;
    bool accepted;
    const char* source;  // where Home Assistant decides
};

// sensor/const.py = homeassistant/components/sensor/const.py; mqtt/sensor.py =
// validate_sensor_state_and_device_class_config (the 2025+ variant that raises vol.Invalid).
const Row sensor_rows[] = {
    {"W", "power", "measurement", true, "sensor/const.py DEVICE_CLASS_UNITS[POWER] (UnitOfPower)"},
    {"kW", "power", "measurement", true, "sensor/const.py DEVICE_CLASS_UNITS[POWER]"},
    {"°C", "power", "measurement", false,
     "mqtt/sensor.py: unit not valid together with device class"},
    {"VA", "apparent_power", "measurement", true,
     "sensor/const.py DEVICE_CLASS_UNITS[APPARENT_POWER]"},
    {"var", "reactive_power", "measurement", true,
     "sensor/const.py DEVICE_CLASS_UNITS[REACTIVE_POWER]"},
    {"kvarh", "reactive_energy", "total_increasing", true,
     "sensor/const.py DEVICE_CLASS_UNITS[REACTIVE_ENERGY]"},
    {"kWh", "energy", "total_increasing", true,
     "sensor/const.py DEVICE_CLASS_UNITS[ENERGY] (UnitOfEnergy)"},
    {"Wh", "energy", "total", true,
     "sensor/const.py DEVICE_CLASS_STATE_CLASSES[ENERGY] = {TOTAL, TOTAL_INCREASING}"},
    {"kWh", "energy", "measurement", false, "sensor/const.py DEVICE_CLASS_STATE_CLASSES[ENERGY]"},
    {"W", "energy", "total", false, "sensor/const.py DEVICE_CLASS_UNITS[ENERGY]"},
    {"V", "voltage", "measurement", true,
     "sensor/const.py DEVICE_CLASS_UNITS[VOLTAGE] (UnitOfElectricPotential)"},
    {"\xc2\xb5V", "voltage", "measurement", true,
     "mqtt/sensor.py AMBIGUOUS_UNITS: micro sign read as Greek mu"},
    {"A", "current", "measurement", true, "sensor/const.py DEVICE_CLASS_UNITS[CURRENT]"},
    {"Hz", "frequency", "measurement", true, "sensor/const.py DEVICE_CLASS_UNITS[FREQUENCY]"},
    {"s", "duration", "total", true, "sensor/const.py DEVICE_CLASS_STATE_CLASSES[DURATION] = all"},
    {"%", "battery", "measurement", true,
     "sensor/const.py DEVICE_CLASS_UNITS[BATTERY] = {PERCENTAGE}"},
    {"V", "battery", "measurement", false, "sensor/const.py DEVICE_CLASS_UNITS[BATTERY]"},
    {"", "power_factor", "measurement", true,
     "sensor/const.py DEVICE_CLASS_UNITS[POWER_FACTOR] = {PERCENTAGE, None}"},
    {"", "temperature", "measurement", false,
     "sensor/const.py DEVICE_CLASS_UNITS[TEMPERATURE] has no None"},
    {"K", "temperature", "total", false,
     "sensor/const.py DEVICE_CLASS_STATE_CLASSES[TEMPERATURE] = {MEASUREMENT}"},
    {"m³", "gas", "total_increasing", true, "sensor/const.py DEVICE_CLASS_UNITS[GAS]"},
    {"EUR", "monetary", "total", true, "sensor/const.py: MONETARY takes any ISO 4217 currency"},
    {"", "timestamp", "", true, "sensor/const.py: TIMESTAMP has no unit"},
    {"s", "timestamp", "", false, "sensor/const.py: TIMESTAMP has no unit in DEVICE_CLASS_UNITS"},
    {"MΩ", "", "measurement", true, "no device class: any unit"},
    {"W", "flux_capacitance", "", false, "sensor/const.py SensorDeviceClass: no such class"},
};

profile::Point point(const Row& r) {
    profile::Point p;
    p.name = "x";
    p.unit = r.unit;
    p.device_class = r.device_class;
    p.state_class = r.state_class;
    p.format.type = codec::Type::float32;
    return p;
}

TEST(HaRules, SensorUnitsAndStateClassesAsHomeAssistantHasThem) {
    for (const auto& r : sensor_rows) {
        const auto problems = ha_rule_violations(point(r), HaComponent::sensor);
        EXPECT_EQ(problems.empty(), r.accepted)
            << r.unit << " / " << r.device_class << " / " << r.state_class << " (" << r.source
            << ")" << (problems.empty() ? "" : ": " + problems[0]);
    }
    const auto refused = ha_rule_violations(point(sensor_rows[2]), HaComponent::sensor);
    ASSERT_EQ(refused.size(), 1U);
    EXPECT_EQ(refused[0],
              "Home Assistant refuses unit \"°C\" with device class power (allowed: mW, W, kW, MW, "
              "GW, TW, BTU/h)");
}

// mqtt/sensor.py: "Specifying `options` is not allowed together with the `state_class` or
// `unit_of_measurement` option"; binary_sensor/__init__.py BinarySensorDeviceClass.
TEST(HaRules, EnumsBitsAndNumbers) {
    profile::Point mapped = point({"", "", "", true, ""});
    mapped.format.type = codec::Type::uint16;
    mapped.map = {{0, "off"}, {1, "on"}};
    EXPECT_TRUE(ha_rule_violations(mapped, HaComponent::sensor).empty());
    EXPECT_EQ(ha_classes(mapped, HaComponent::sensor).device_class, "enum");
    mapped.unit = "°C";
    EXPECT_EQ(ha_rule_violations(mapped, HaComponent::sensor),
              std::vector<std::string>{"a point with a map is an enum sensor: Home Assistant "
                                       "refuses a unit (\"°C\") with it"});
    mapped.unit.clear();
    mapped.device_class = "temperature";
    EXPECT_EQ(ha_rule_violations(mapped, HaComponent::sensor).size(), 1U);

    profile::Point bit = point({"", "power", "", true, ""});
    bit.format.type = codec::Type::boolean;
    EXPECT_EQ(ha_component(bit, false), HaComponent::binary_sensor);
    EXPECT_TRUE(
        ha_rule_violations(bit, HaComponent::binary_sensor).empty());  // a binary_sensor class too
    bit.device_class = "voltage";
    EXPECT_EQ(ha_rule_violations(bit, HaComponent::binary_sensor).size(), 1U);

    profile::Point flat = point({"%", "", "", true, ""});
    flat.min = 5;
    flat.max = 5;
    EXPECT_EQ(ha_rule_violations(flat, HaComponent::number),
              std::vector<std::string>{
                  "Home Assistant needs a number's max above its min (mqtt/number.py)"});
}

// D10: a map that names only some of the values a point may be written is a number.
TEST(HaRules, PartialMapIsANumber) {
    profile::Point link = point({"", "", "", true, ""});
    link.format.type = codec::Type::uint16;
    link.map = {{8, "off"}};
    link.min = 0;
    link.max = 8;
    EXPECT_EQ(ha_component(link, true), HaComponent::number);
    link.map = {{0, "a"}, {1, "b"}, {2, "c"}, {3, "d"},  {4, "e"},
                {5, "f"}, {6, "g"}, {7, "h"}, {8, "off"}};
    EXPECT_EQ(ha_component(link, true), HaComponent::select);
    link.min.reset();  // without a range the map's values are the only ones written
    link.map = {{8, "off"}};
    EXPECT_EQ(ha_component(link, true), HaComponent::select);
}

TEST(HaRules, EnergyDashboardAndEntityCategory) {
    profile::Point yield = point({"kWh", "", "", true, ""});
    auto k = ha_classes(yield, HaComponent::sensor);
    EXPECT_EQ(k.device_class, "energy");
    EXPECT_EQ(k.state_class, "total_increasing");
    yield.state_class = "measurement";  // not a counter: left alone
    EXPECT_EQ(ha_classes(yield, HaComponent::sensor).device_class, "");

    profile::Point serial = point({"", "", "", true, ""});
    serial.name = "serial_number";
    EXPECT_EQ(ha_entity_category(serial, HaComponent::sensor), "diagnostic");
    serial.name = "fault_code";
    EXPECT_EQ(ha_entity_category(serial, HaComponent::sensor), "diagnostic");
    serial.name = "ac_power";
    EXPECT_EQ(ha_entity_category(serial, HaComponent::sensor), "");
    EXPECT_EQ(ha_entity_category(serial, HaComponent::number), "config");
}

// Every shipped profile passes, read-only and with every writable point written.
TEST(HaRules, EveryShippedProfilePasses) {
    namespace fs = std::filesystem;
    int checked = 0;
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(REGPOLL_SOURCE_DIR) / "devices")) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json")
            continue;
        profile::Diagnostics diag;
        auto profile = profile::load_profile(entry.path().string(), diag);
        ASSERT_TRUE(profile) << entry.path();
        for (const auto& p : profile->points) {
            for (bool command : {false, p.writable}) {
                for (const auto& v : ha_rule_violations(p, ha_component(p, command)))
                    ADD_FAILURE() << p.origin() << ": " << v;
            }
        }
        ++checked;
    }
    EXPECT_GE(checked, 10);
}

}  // namespace
}  // namespace regpoll::sink
