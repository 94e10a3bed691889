# The PostgreSQL sink (libpq, Debian's libpq-dev) and its reader (regpoll history --pg).
# libpq's header only: pg_connection.cpp opens the library with the first connection, so a
# regpoll without PostgreSQL never loads it (nor GnuTLS, Kerberos and LDAP behind it).
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
  PRIVATE spdlog::spdlog Threads::Threads regpoll_warnings ${CMAKE_DL_LIBS})
target_include_directories(regpoll_sink_postgres PRIVATE ${LIBPQ_INCLUDE_DIRS})
