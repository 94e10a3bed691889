#pragma once
// Support for the server's integration tests: regpoll-testserver as a child process, the
// independent masters (mbpoll, tests/server/pymodbus_client.py) and socat pty pairs.
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "peer_process.hpp"

namespace regpoll::testing::server_support {

using namespace std::chrono_literals;
using nlohmann::json;

inline std::string data_file(const std::string& name) {
    return source_dir() + "/tests/server/data/" + name;
}

#ifdef REGPOLL_TESTSERVER  // the server tests' own binary; others use the helpers below only
inline PeerProcess start_server(std::vector<std::string> args) {
    args.insert(args.begin(), REGPOLL_TESTSERVER);
    return PeerProcess(args, "READY ", 10s);
}
#endif

// Runs tests/server/pymodbus_client.py; `target` is {"--port", P} or {"--transport",
// "rtu", "--device", D}. Returns one result per operation.
inline json pymodbus(std::vector<std::string> target, const json& ops) {
    std::vector<std::string> argv{peer_python(), "-I",
                                  source_dir() + "/tests/server/pymodbus_client.py"};
    argv.insert(argv.end(), target.begin(), target.end());
    argv.push_back("--ops");
    argv.push_back(ops.dump());
    const CommandResult r = run_command(argv, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    try {
        return json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "pymodbus client printed no JSON: " << r.out << r.err;
        return json::array();
    }
}

inline std::vector<std::string> tcp(std::uint16_t port) {
    return {"--port", std::to_string(port)};
}

// mbpoll on TCP, one poll, 0-based addresses; `write` values (after the host) make it write.
inline CommandResult mbpoll_tcp(std::uint16_t port, std::vector<std::string> args,
                                std::vector<std::string> write = {}) {
    std::vector<std::string> argv{"mbpoll", "-m", "tcp", "-p", std::to_string(port),
                                  "-0",     "-1", "-o",  "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("127.0.0.1");
    argv.insert(argv.end(), write.begin(), write.end());
    return run_command(argv, 30s);
}

// The values mbpoll printed, "[addr]: \tvalue" lines, in order.
inline std::vector<std::string> mbpoll_values(const std::string& out) {
    std::vector<std::string> values;
    std::size_t pos = 0;
    while ((pos = out.find("]: \t", pos)) != std::string::npos) {
        pos += 4;
        const auto end = out.find_first_of("\r\n", pos);
        values.push_back(out.substr(pos, end - pos));
    }
    return values;
}

// A socat pseudo-terminal pair: the server opens a(), the master b(). socat is our direct
// child (the shell execs it), so PeerProcess stops and reaps it.
class SocatPair {
  public:
    SocatPair() {
        char pattern[] = "/tmp/regpoll-server-pty-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        const std::string script = "echo READY pty; exec socat -d -d pty,raw,echo=0,link=" + a() +
                                   " pty,raw,echo=0,link=" + b();
        process_.emplace(std::vector<std::string>{"/bin/sh", "-c", script}, "READY ", 10s,
                         dir_ + "/socat.log");
        for (int i = 0; i < 500 && !(std::filesystem::exists(a()) && std::filesystem::exists(b()));
             ++i) {
            std::this_thread::sleep_for(10ms);
        }
        if (!std::filesystem::exists(a()) || !std::filesystem::exists(b())) {
            ADD_FAILURE() << "socat made no pty pair: " << process_->stderr_log();
        }
    }
    ~SocatPair() {
        process_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    SocatPair(const SocatPair&) = delete;
    SocatPair& operator=(const SocatPair&) = delete;
    std::string a() const { return dir_ + "/a"; }
    std::string b() const { return dir_ + "/b"; }

  private:
    std::string dir_;
    std::optional<PeerProcess> process_;
};

inline std::vector<std::string> serial(const std::string& framing, const std::string& device) {
    return {"--transport", framing, "--device", device};
}

}  // namespace regpoll::testing::server_support
