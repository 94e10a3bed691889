#pragma once
// Home Assistant's rules for an MQTT entity's unit, device class and state class, in one
// place, so regpoll refuses at start what Home Assistant would refuse (or misread) later:
//   homeassistant/components/sensor/const.py    DEVICE_CLASS_UNITS, DEVICE_CLASS_STATE_CLASSES
//   homeassistant/components/mqtt/sensor.py     validate_sensor_state_and_device_class_config
//   homeassistant/components/binary_sensor/__init__.py  BinarySensorDeviceClass
//   homeassistant/components/mqtt/number.py     validate_config (max must be > min)
#include <optional>
#include <string>
#include <vector>

#include "profile/point.hpp"

namespace regpoll::sink {

enum class HaComponent { sensor, binary_sensor, switch_, number, select };
const char* ha_component_name(HaComponent c);

// How a point is announced. `command`: the site lets home automation write it. Bits are
// binary sensors (switches when written); mapped points enum sensors (selects when written,
// numbers when the map names only some of the values the point may be written).
HaComponent ha_component(const profile::Point& p, bool command);

// Whether the point's map names every value it may be written (see poll::map_is_partial).
bool map_is_enum(const profile::Point& p);

// What regpoll announces: the profile's unit and classes, with an energy unit alone made an
// Energy-dashboard sensor (device_class energy, state_class total_increasing), energy, gas
// and water given total_increasing when no state_class is set, and enums stripped of unit
// and state class. Empty strings are left out of the config.
struct HaClasses {
    std::string unit;
    std::string device_class;
    std::string state_class;
};
HaClasses ha_classes(const profile::Point& p, HaComponent c);

// "config" for settings home automation writes, "diagnostic" for identity, firmware,
// serials and fault codes (string points, or a name with one of those words); empty for the rest.
std::string ha_entity_category(const profile::Point& p, HaComponent c);

// Each rule of Home Assistant's that the point as `c` breaks, as a sentence; empty if none.
std::vector<std::string> ha_rule_violations(const profile::Point& p, HaComponent c);

// The units Home Assistant allows with a sensor device class; nullopt when the class has no
// unit list (monetary takes any currency) or is unknown.
std::optional<std::vector<std::string>> ha_units_for(const std::string& device_class);

}  // namespace regpoll::sink
