#include "sink/ha_rules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "codec/types.hpp"
#include "modbus/register_kind.hpp"
#include "poll/write_request.hpp"

namespace regpoll::sink {
namespace {

using Units = std::vector<std::string>;

// HA writes micro as U+03BC and accepts U+00B5 through AMBIGUOUS_UNITS (mqtt/sensor.py).
std::string canonical_unit(std::string u) {
    for (std::size_t i = u.find("\xc2\xb5"); i != std::string::npos; i = u.find("\xc2\xb5", i))
        u.replace(i, 2, "\xce\xbc");
    return u;
}

const Units energy_units{"J",   "kJ",  "MJ",  "GJ",  "mWh",  "Wh",   "kWh",
                         "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"};
const Units pressure_units{"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi", "mPa"};
const Units volume_units{"L", "mL", "gal", "fl. oz.", "m³", "ft³", "CCF", "MCF"};
const Units micrograms{"\xce\xbcg/m³"};
const Units speed_units{"ft/s", "in/d", "in/h", "in/s", "km/h",    "kn",
                        "m/s",  "mph",  "mm/d", "mm/s", "Beaufort"};

// homeassistant/components/sensor/const.py DEVICE_CLASS_UNITS. A class listed with "" also
// takes no unit at all.
const std::map<std::string, Units>& device_class_units() {
    static const std::map<std::string, Units> table{
        {"apparent_power", {"VA", "mVA", "kVA"}},
        {"aqi", {""}},
        {"area", {"m²", "cm²", "km²", "mm²", "in²", "ft²", "yd²", "mi²", "ac", "ha"}},
        {"atmospheric_pressure", pressure_units},
        {"battery", {"%"}},
        {"blood_glucose_concentration", {"mg/dL", "mmol/L"}},
        {"carbon_dioxide", {"ppm"}},
        {"carbon_monoxide", {"ppm", "mg/m³", "\xce\xbcg/m³"}},
        {"conductivity", {"S/cm", "\xce\xbcS/cm", "mS/cm"}},
        {"current", {"A", "mA"}},
        {"data_rate",
         {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "B/s", "kB/s", "MB/s", "GB/s", "KiB/s", "MiB/s",
          "GiB/s"}},
        {"data_size", {"bit", "kbit", "Mbit", "Gbit", "B",   "kB",  "MB",  "GB",  "TB",  "PB", "EB",
                       "ZB",  "YB",   "KiB",  "MiB",  "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}},
        {"distance", {"km", "m", "cm", "mm", "mi", "nmi", "yd", "in", "ft"}},
        {"duration", {"d", "h", "min", "s", "ms", "\xce\xbcs"}},
        {"energy", energy_units},
        {"energy_distance", {"kWh/100km", "Wh/km", "mi/kWh", "km/kWh"}},
        {"energy_storage", energy_units},
        {"frequency", {"Hz", "kHz", "MHz", "GHz"}},
        {"gas", {"m³", "ft³", "CCF", "MCF", "L"}},
        {"humidity", {"%"}},
        {"illuminance", {"lx"}},
        {"irradiance", {"W/m²", "BTU/(h⋅ft²)"}},
        {"moisture", {"%"}},
        {"nitrogen_dioxide", {"\xce\xbcg/m³", "ppb"}},
        {"nitrogen_monoxide", micrograms},
        {"nitrous_oxide", micrograms},
        {"ozone", micrograms},
        {"ph", {""}},
        {"pm1", micrograms},
        {"pm10", micrograms},
        {"pm25", micrograms},
        {"pm4", micrograms},
        {"power", {"mW", "W", "kW", "MW", "GW", "TW", "BTU/h"}},
        {"power_factor", {"%", ""}},
        {"precipitation", {"cm", "in", "mm"}},
        {"precipitation_intensity", {"in/d", "in/h", "mm/d", "mm/h"}},
        {"pressure", pressure_units},
        {"reactive_energy", {"varh", "kvarh"}},
        {"reactive_power", {"var", "kvar", "mvar"}},
        {"signal_strength", {"dB", "dBm"}},
        {"sound_pressure", {"dB", "dBA"}},
        {"speed", speed_units},
        {"sulphur_dioxide", micrograms},
        {"temperature", {"°C", "°F", "K"}},
        {"volatile_organic_compounds", {"\xce\xbcg/m³", "mg/m³"}},
        {"volatile_organic_compounds_parts", {"ppm", "ppb"}},
        {"voltage", {"V", "mV", "\xce\xbcV", "kV", "MV"}},
        {"volume", volume_units},
        {"volume_flow_rate",
         {"m³/h", "m³/min", "m³/s", "ft³/min", "L/h", "L/min", "L/s", "gal/min", "mL/s"}},
        {"volume_storage", volume_units},
        {"water", {"L", "gal", "m³", "ft³", "CCF", "MCF"}},
        {"weight", {"kg", "g", "mg", "\xce\xbcg", "oz", "lb", "st"}},
        {"wind_direction", {"°"}},
        {"wind_speed", {"ft/s", "km/h", "kn", "m/s", "mph", "Beaufort"}},
    };
    return table;
}

// Classes without a unit list: monetary (any ISO 4217 currency) and the non-numeric ones.
const std::set<std::string> unitless_classes{"date", "enum", "timestamp"};

// homeassistant/components/sensor/const.py DEVICE_CLASS_STATE_CLASSES: the classes that do
// not take plain "measurement" (every other numeric class takes only that).
const std::map<std::string, std::set<std::string>>& state_class_exceptions() {
    static const std::set<std::string> all{"measurement", "total", "total_increasing"};
    static const std::set<std::string> totals{"total", "total_increasing"};
    static const std::map<std::string, std::set<std::string>> table{
        {"area", all},
        {"data_size", all},
        {"distance", all},
        {"duration", all},
        {"energy", totals},
        {"gas", totals},
        {"monetary", {"total"}},
        {"precipitation", all},
        {"reactive_energy", totals},
        {"volume", all},
        {"water", totals},
        {"weight", all},
        {"wind_direction", {"measurement_angle"}},
        {"date", {}},
        {"enum", {}},
        {"timestamp", {}},
    };
    return table;
}

// homeassistant/components/binary_sensor/__init__.py BinarySensorDeviceClass.
const std::set<std::string> binary_classes{"battery",
                                           "battery_charging",
                                           "carbon_monoxide",
                                           "cold",
                                           "connectivity",
                                           "door",
                                           "garage_door",
                                           "gas",
                                           "heat",
                                           "light",
                                           "lock",
                                           "moisture",
                                           "motion",
                                           "moving",
                                           "occupancy",
                                           "opening",
                                           "plug",
                                           "power",
                                           "presence",
                                           "problem",
                                           "running",
                                           "safety",
                                           "smoke",
                                           "sound",
                                           "tamper",
                                           "update",
                                           "vibration",
                                           "window"};

bool is_energy_unit(const std::string& u) {
    return u == "Wh" || u == "kWh" || u == "MWh";
}

bool is_bit(const profile::Point& p) {
    return p.format.type == codec::Type::boolean || p.bit || modbus::is_bit_kind(p.kind);
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + (s.empty() ? std::string("none") : s);
    return out;
}

// The numeric sensor rules (sensor and number entities).
void numeric_rules(const HaClasses& k, std::vector<std::string>& out) {
    if (k.device_class.empty()) return;
    if (unitless_classes.count(k.device_class)) {
        if (!k.unit.empty())
            out.push_back("device class " + k.device_class + " takes no unit (found \"" + k.unit +
                          "\")");
    } else if (auto units = ha_units_for(k.device_class)) {
        const auto u = canonical_unit(k.unit);
        if (u.empty() && std::find(units->begin(), units->end(), "") == units->end()) {
            out.push_back("device class " + k.device_class + " needs a unit (one of " +
                          joined(*units) + ")");
        } else if (std::find(units->begin(), units->end(), u) == units->end()) {
            out.push_back("Home Assistant refuses unit \"" + k.unit + "\" with device class " +
                          k.device_class + " (allowed: " + joined(*units) + ")");
        }
    } else if (k.device_class != "monetary") {
        out.push_back("\"" + k.device_class + "\" is not a Home Assistant sensor device class");
    }
    if (k.state_class.empty()) return;
    const auto& exceptions = state_class_exceptions();
    const auto it = exceptions.find(k.device_class);
    const bool ok = it == exceptions.end() ? k.state_class == "measurement"
                                           : it->second.count(k.state_class) > 0;
    if (!ok) {
        out.push_back(
            "Home Assistant refuses state class " + k.state_class + " with device class " +
            k.device_class +
            (k.device_class == "energy" ? " (energy takes total or total_increasing)" : ""));
    }
}

}  // namespace

const char* ha_component_name(HaComponent c) {
    switch (c) {
        case HaComponent::binary_sensor:
            return "binary_sensor";
        case HaComponent::switch_:
            return "switch";
        case HaComponent::number:
            return "number";
        case HaComponent::select:
            return "select";
        default:
            return "sensor";
    }
}

bool map_is_enum(const profile::Point& p) {
    return !p.map.empty() && !poll::map_is_partial(p);
}

HaComponent ha_component(const profile::Point& p, bool command) {
    // A bit with a map reports its texts: an enum sensor (or a select), not ON/OFF.
    const bool binary = is_bit(p) && p.map.empty();
    if (!command) return binary ? HaComponent::binary_sensor : HaComponent::sensor;
    if (binary) return HaComponent::switch_;
    return map_is_enum(p) ? HaComponent::select : HaComponent::number;
}

std::optional<std::vector<std::string>> ha_units_for(const std::string& device_class) {
    const auto& table = device_class_units();
    const auto it = table.find(device_class);
    if (it == table.end()) return std::nullopt;
    return it->second;
}

HaClasses ha_classes(const profile::Point& p, HaComponent c) {
    HaClasses k{p.unit, p.device_class, p.state_class};
    if (c == HaComponent::binary_sensor || c == HaComponent::switch_ || c == HaComponent::select) {
        return {"", c == HaComponent::binary_sensor ? p.device_class : "", ""};
    }
    if (c == HaComponent::sensor && map_is_enum(p)) return {"", "enum", ""};
    if (k.device_class.empty() && is_energy_unit(k.unit) &&
        (k.state_class.empty() || k.state_class == "total" ||
         k.state_class == "total_increasing")) {
        k.device_class = "energy";  // what the Energy dashboard lists
    }
    if (k.state_class.empty() &&
        (k.device_class == "energy" || k.device_class == "gas" || k.device_class == "water")) {
        k.state_class = "total_increasing";
    }
    if (c == HaComponent::number) k.state_class.clear();  // numbers have none
    return k;
}

std::string ha_entity_category(const profile::Point& p, HaComponent c) {
    if (c == HaComponent::switch_ || c == HaComponent::number || c == HaComponent::select)
        return "config";
    if (p.format.type == codec::Type::string) return "diagnostic";  // model, serial, firmware texts
    static const std::set<std::string> words{"serial", "firmware", "version",
                                             "fault",  "error",    "model"};
    std::size_t start = 0;
    while (start <= p.name.size()) {
        const auto end = std::min(p.name.find('_', start), p.name.size());
        if (words.count(p.name.substr(start, end - start))) return "diagnostic";
        start = end + 1;
    }
    return "";
}

std::vector<std::string> ha_rule_violations(const profile::Point& p, HaComponent c) {
    std::vector<std::string> out;
    const auto k = ha_classes(p, c);
    if (c == HaComponent::binary_sensor) {
        if (!k.device_class.empty() && !binary_classes.count(k.device_class)) {
            out.push_back(
                "\"" + k.device_class +
                "\" is not a Home Assistant binary_sensor device class (the point is a bit)");
        }
        return out;
    }
    if (c == HaComponent::sensor && map_is_enum(p)) {
        // mqtt/sensor.py: options are not allowed with unit_of_measurement or state_class.
        if (!p.device_class.empty() && p.device_class != "enum") {
            out.push_back("a point with a map is an enum sensor (texts); device class " +
                          p.device_class + " needs numbers");
        }
        if (!p.unit.empty())
            out.push_back(
                "a point with a map is an enum sensor: Home Assistant refuses a unit (\"" + p.unit +
                "\") with it");
        if (!p.state_class.empty())
            out.push_back(
                "a point with a map is an enum sensor: Home Assistant refuses a state class with "
                "it");
        return out;
    }
    if (c == HaComponent::sensor || c == HaComponent::number) numeric_rules(k, out);
    if (c == HaComponent::sensor && k.device_class == "enum")
        out.push_back("device class enum needs a \"map\" (its texts are the options)");
    if (c == HaComponent::number && p.min && p.max && !(*p.min < *p.max)) {
        out.push_back("Home Assistant needs a number's max above its min (mqtt/number.py)");
    }
    return out;
}

}  // namespace regpoll::sink
