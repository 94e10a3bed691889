# The SQLite history: unit tests, a real SQLite file in a temporary folder, a kill -9 crash
# test (fork), and `regpoll history` end to end through the binary.
find_package(SQLite3 REQUIRED)  # imported targets are per directory
add_executable(sink_history_tests
  history_config_test.cpp
  history_filter_test.cpp
  history_time_test.cpp
  history_writer_test.cpp
  history_retention_test.cpp
  history_crash_test.cpp
  history_command_test.cpp
)
target_link_libraries(sink_history_tests PRIVATE regpoll_sink_history regpoll_test_peer SQLite::SQLite3
  nlohmann_json::nlohmann_json GTest::gtest_main regpoll_warnings)
target_compile_definitions(sink_history_tests PRIVATE REGPOLL_BINARY="$<TARGET_FILE:regpoll>")
add_dependencies(sink_history_tests regpoll)
gtest_discover_tests(sink_history_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120)
