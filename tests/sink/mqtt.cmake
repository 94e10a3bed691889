add_executable(sink_mqtt_tests
  mqtt_messages_test.cpp
  mqtt_outbox_test.cpp
  mqtt_config_test.cpp
  ha_rules_test.cpp
)
target_link_libraries(sink_mqtt_tests PRIVATE regpoll_sink_mqtt SQLite::SQLite3 nlohmann_json::nlohmann_json
  GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_mqtt_tests PRIVATE REGPOLL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(sink_mqtt_tests)

# Against a real mosquitto and the regpoll binary; Debian's pymodbus is the device.
add_executable(sink_mqtt_broker_tests mqtt_broker_test.cpp)
target_link_libraries(sink_mqtt_broker_tests PRIVATE regpoll_test_peer PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_mqtt_broker_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_mqtt_broker_tests regpoll)
gtest_discover_tests(sink_mqtt_broker_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)

# Writes from MQTT, Domoticz and Home Assistant: a real mosquitto, pymodbus as the device,
# mbpoll reading the registers back on its own.
add_executable(sink_mqtt_write_tests mqtt_write_test.cpp)
target_link_libraries(sink_mqtt_write_tests PRIVATE regpoll_test_peer PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_mqtt_write_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_mqtt_write_tests regpoll)
gtest_discover_tests(sink_mqtt_write_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)

# Home Assistant and Domoticz read regpoll's messages as their own parsers do (defects D1-D10
# of the conformance report): a real mosquitto, pymodbus as the device, mbpoll, jinja2.
add_executable(sink_conformance_tests domoticz_conformance_test.cpp ha_conformance_test.cpp)
target_link_libraries(sink_conformance_tests PRIVATE regpoll_test_peer PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_conformance_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_conformance_tests regpoll)
gtest_discover_tests(sink_conformance_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)

# Growatt Shine dataloggers (scripted sticks sending captured records) -> regpoll -> mosquitto.
add_executable(sink_shine_tests shine_broker_test.cpp)
target_link_libraries(sink_shine_tests PRIVATE regpoll_test_peer regpoll_shine SQLite::SQLite3 PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_shine_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_shine_tests regpoll)
gtest_discover_tests(sink_shine_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)

# Writes through a simulated Shine stick (0x06/0x10, read back with 0x05) from MQTT, and the
# stick's settings regpoll changes after an announce.
add_executable(sink_shine_write_tests shine_write_test.cpp)
target_link_libraries(sink_shine_write_tests PRIVATE regpoll_test_peer PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_shine_write_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_shine_write_tests regpoll)
gtest_discover_tests(sink_shine_write_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)

# A site broker bridged to a central one with config/mosquitto-bridge.conf: values, an outage
# of the central broker, writes sent centrally.
add_executable(sink_mqtt_bridge_tests mqtt_bridge_test.cpp)
target_link_libraries(sink_mqtt_bridge_tests PRIVATE regpoll_test_peer PahoMqttCpp::paho-mqttpp3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_mqtt_bridge_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_mqtt_bridge_tests regpoll)
gtest_discover_tests(sink_mqtt_bridge_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 180)
