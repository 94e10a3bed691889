#pragma once
// `regpoll simulate` as a child process for the end-to-end tests, the poller run against
// it, and the check that the poller decodes what the simulator intended.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "profile/profile_loader.hpp"

namespace regpoll::testing::sim {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

inline std::string temp_path(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("regpoll-sim-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return (dir / name).string();
}

inline std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = temp_path(name);
    std::ofstream(path) << text;
    return path;
}

inline json read_json(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << path;
    try {
        return json::parse(in);
    } catch (const std::exception& e) {
        ADD_FAILURE() << path << ": " << e.what();
        return json::object();
    }
}

// Starts `regpoll simulate args...` and waits for its first READY line.
inline PeerProcess start_simulator(const std::vector<std::string>& args,
                                   const std::string& log_name) {
    std::vector<std::string> argv{REGPOLL_BINARY, "simulate"};
    argv.insert(argv.end(), args.begin(), args.end());
    return PeerProcess(argv, "READY ", 30s, temp_path(log_name));
}

// `regpoll run --once --output jsonl`: samples by "device.point".
inline std::map<std::string, json> poll_once(const std::string& config, int& exit_code,
                                             std::string& err) {
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config, "--once", "--output", "jsonl"}, 90s);
    exit_code = r.exit_code;
    err = r.err;
    std::map<std::string, json> out;
    std::size_t pos = 0;
    while (pos < r.out.size()) {
        const auto nl = r.out.find('\n', pos);
        const auto line = r.out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty()) {
            auto j = json::parse(line);
            out[j["device"].get<std::string>() + "." + j["point"].get<std::string>()] = j;
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

inline std::shared_ptr<const profile::Profile> load_profile(const std::string& ref) {
    profile::ProfileLibrary library({source_dir() + "/devices"});
    profile::Diagnostics diag;
    auto p = library.find(ref, source_dir(), diag, "test", "");
    for (const auto& e : diag.errors()) ADD_FAILURE() << e;
    return p;
}

// Every point of `profile` was decoded by the poller (device `device`) to the value the
// simulator's dump says it intended: texts, bools and integers exactly, other numbers
// within the point's precision rounding, "not available" as null with that quality.
inline void expect_decoded_as_intended(const json& intended,
                                       const std::map<std::string, json>& samples,
                                       const std::string& device, const profile::Profile& profile) {
    for (const auto& p : profile.points) {
        const std::string where = device + "." + p.name;
        SCOPED_TRACE(where);
        ASSERT_TRUE(intended.contains(p.name)) << "the simulator does not say what it intended";
        const auto it = samples.find(where);
        if (!p.readable) {  // write-only: never polled
            EXPECT_EQ(it, samples.end()) << "a write-only point was read";
            continue;
        }
        ASSERT_NE(it, samples.end()) << "the poller produced no sample";
        const json& want = intended[p.name];
        const json& got = it->second["value"];
        if (want.is_null()) {
            EXPECT_TRUE(got.is_null()) << got;
            EXPECT_EQ(it->second["quality"], "unavailable");
            continue;
        }
        EXPECT_EQ(it->second["quality"], "good");
        if (want.is_number_float() || got.is_number_float()) {
            ASSERT_TRUE(got.is_number()) << got;
            const double w = want.get<double>();
            const double tolerance = (p.precision ? 0.5 * std::pow(10.0, -*p.precision) : 0.0) +
                                     1e-9 * std::max(1.0, std::fabs(w));
            EXPECT_NEAR(got.get<double>(), w, tolerance);
        } else {
            EXPECT_EQ(got, want);
        }
    }
}

inline std::string bus(const std::string& name, const std::string& uri) {
    return R"({ "name": ")" + name + R"(", "uri": ")" + uri + R"(", "timeout": "2s" })";
}

inline std::string device(const std::string& name, const std::string& bus_name, int unit,
                          const std::string& ref) {
    return R"({ "name": ")" + name + R"(", "bus": ")" + bus_name + R"(", "unit": )" +
           std::to_string(unit) + R"(, "profile": ")" + ref + R"(", "interval": "10s" })";
}

}  // namespace regpoll::testing::sim
