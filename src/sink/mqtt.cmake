add_library(regpoll_sink_mqtt STATIC
  domoticz_messages.cpp
  ha_discovery.cpp
  ha_rules.cpp
  mqtt_config.cpp
  message_json.cpp
  mqtt_messages.cpp
  mqtt_outbox.cpp
  mqtt_sink.cpp
)
target_include_directories(regpoll_sink_mqtt PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/..)
target_link_libraries(regpoll_sink_mqtt PUBLIC regpoll_poll regpoll_profile Boost::headers
  PRIVATE PahoMqttCpp::paho-mqttpp3 SQLite::SQLite3 spdlog::spdlog nlohmann_json::nlohmann_json regpoll_warnings)
