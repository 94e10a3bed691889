# The SQLite history sink and its reader (regpoll history).
find_package(SQLite3 REQUIRED)
add_library(regpoll_sink_history STATIC
  history_config.cpp
  history_filter.cpp
  history_query.cpp
  history_schema.cpp
  history_sink.cpp
  history_sqlite.cpp
  history_store.cpp
  history_time.cpp
  history_writer.cpp
  series_names.cpp
)
target_include_directories(regpoll_sink_history PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/..)
target_link_libraries(regpoll_sink_history PUBLIC regpoll_poll regpoll_profile regpoll_codec regpoll_common
  nlohmann_json::nlohmann_json PRIVATE SQLite::SQLite3 spdlog::spdlog Threads::Threads regpoll_warnings)
