#pragma once
// Running the regpoll binary from integration tests (REGPOLL_BINARY comes from CMake).
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "peer_process.hpp"

namespace regpoll::testing {

// The register values the CLI tests' pymodbus peer holds.
inline std::string cli_values_file() { return source_dir() + "/tests/integration/data/cli_values.json"; }

// `regpoll ARGS...`, to completion.
inline CommandResult regpoll(std::vector<std::string> args,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    args.insert(args.begin(), REGPOLL_BINARY);
    return run_command(args, timeout);
}

// The JSON a successful command printed (a failure is a test failure and gives null).
inline nlohmann::json json_of(const CommandResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

}  // namespace regpoll::testing
