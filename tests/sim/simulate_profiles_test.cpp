// The proof of the simulator: for every shipped profile, `regpoll simulate` serves it and
// `regpoll run --once` decodes every point to the value the simulator intended. A real
// round trip: the simulator's encoder, the server, TCP, the poller's planner, link and
// decoder.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim_process.hpp"

namespace regpoll::testing::sim {
namespace {

// "growatt/min-tl-x" for every devices/<vendor>/<model>.json.
std::vector<std::string> shipped_profiles() {
    std::vector<std::string> refs;
    const fs::path root = fs::path(source_dir()) / "devices";
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json" ||
            entry.path().filename() == "schema.json")
            continue;
        auto rel = fs::relative(entry.path(), root);
        rel.replace_extension();
        refs.push_back(rel.generic_string());
    }
    std::sort(refs.begin(), refs.end());
    return refs;
}

class SimulatedProfile : public ::testing::TestWithParam<std::string> {};

TEST_P(SimulatedProfile, PollerDecodesWhatTheSimulatorIntended) {
    const std::string ref = GetParam();
    std::string file_name = ref;
    std::replace(file_name.begin(), file_name.end(), '/', '-');
    const std::string dump = temp_path(file_name + ".dump.json");
    // Frozen values at 10:30, when the sun is up and power and energy are not zero.
    auto simulator = start_simulator({"--profile", ref, "--listen", "tcp://127.0.0.1:0", "--freeze",
                                      "--start-time", "10:30", "--dump", dump, "--seconds", "600"},
                                     file_name + ".log");
    const std::string config =
        write_file(file_name + ".site.json",
                   R"({ "buses": [ )" +
                       bus("lab", "tcp://127.0.0.1:" + std::to_string(simulator.ready_port())) +
                       R"( ], "devices": [ )" + device("dev", "lab", 1, ref) + " ] }");
    int exit_code = -1;
    std::string err;
    const auto samples = poll_once(config, exit_code, err);
    ASSERT_EQ(exit_code, 0) << err << "\nsimulator: " << simulator.stderr_log();

    const auto profile = load_profile(ref);
    ASSERT_TRUE(profile);
    const json snapshot = read_json(dump);
    ASSERT_EQ(snapshot["devices"].size(), 1U);
    const json& intended = snapshot["devices"][0]["values"];
    const auto readable = std::count_if(profile->points.begin(), profile->points.end(),
                                        [](const profile::Point& p) { return p.readable; });
    EXPECT_EQ(samples.size(), static_cast<std::size_t>(readable));
    EXPECT_EQ(intended.size(), profile->points.size());
    expect_decoded_as_intended(intended, samples, "dev", *profile);

    // The values are not trivially zero (zeros decode the same in every byte order).
    std::size_t numbers = 0;
    std::size_t non_zero = 0;
    for (const auto& [name, value] : intended.items()) {
        if (!value.is_number()) continue;
        ++numbers;
        if (value.get<double>() != 0.0) ++non_zero;
    }
    EXPECT_GE(non_zero * 2, numbers) << intended.dump();
    EXPECT_EQ(simulator.stop(), 0);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param) {
    std::string name = param.param;
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(EveryShippedProfile, SimulatedProfile,
                         ::testing::ValuesIn(shipped_profiles()), test_name);

TEST(SimulatedProfiles, AllTenAreThere) {
    EXPECT_GE(shipped_profiles().size(), 10U);
}

}  // namespace
}  // namespace regpoll::testing::sim
