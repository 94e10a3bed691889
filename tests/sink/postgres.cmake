# The PostgreSQL sink against a real PostgreSQL 15 (Debian's postgresql package) started by
# the tests in a temporary folder (pg_server.hpp), and `regpoll run`/`history --pg` end to end.
add_executable(sink_postgres_tests
  postgres_config_test.cpp
  postgres_writer_test.cpp
  postgres_run_test.cpp
)
target_link_libraries(sink_postgres_tests PRIVATE regpoll_sink_postgres regpoll_test_peer
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_postgres_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_postgres_tests regpoll)
# Each test runs in its own process (ctest), so each starts its own server.
gtest_discover_tests(sink_postgres_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300)
