# The PostgreSQL sink (libpq, Debian's libpq-dev) and its reader (regpoll history --pg).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
add_library(regpoll_sink_postgres STATIC
  pg_connection.cpp
  postgres_config.cpp
  postgres_outbox_rows.cpp
  postgres_query.cpp
  postgres_schema.cpp
  postgres_writer.cpp
)
target_include_directories(regpoll_sink_postgres PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/..)
target_link_libraries(regpoll_sink_postgres PUBLIC regpoll_sink_history regpoll_sink_mqtt regpoll_poll
  regpoll_profile regpoll_common nlohmann_json::nlohmann_json
  PRIVATE PkgConfig::LIBPQ spdlog::spdlog Threads::Threads regpoll_warnings)
