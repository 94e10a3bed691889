// "profile": "sunspec" in a site configuration: discovered at start, cached in the state
// folder, used from the cache while the device sleeps (exception 4) or keeps its identity,
// discovered again when Mn/Md/SN/Vr change; "models" picks models.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "regpoll_cli.hpp"
#include "sunspec_peer.hpp"

namespace regpoll::testing {
namespace {

using nlohmann::json;

json chain(const std::string& serial) {
    json models = json::array();
    models.push_back({{"id", 1}, {"values", {{"Mn", "regpoll"}, {"Md", "site"}, {"SN", serial}}}});
    for (int id : {103, 123, 160}) models.push_back({{"id", id}, {"repeats", 2}});
    return {{"units", {{"1", {{"base", 40000}, {"models", models}}}}}};
}

std::string write_site(const SunspecPeer& peer, const std::string& dir, const json& device_extra) {
    json device{{"name", "inverter"}, {"bus", "b"}, {"unit", 1}, {"profile", "sunspec"}};
    device.update(device_extra);
    const auto path = dir + "/site.json";
    std::ofstream(path) << json{
        {"buses", {{{"name", "b"}, {"uri", peer.uri()}, {"timeout", "500ms"}}}},
        {"devices", {device}}}.dump();
    return path;
}

std::set<std::string> sampled_points(const std::string& jsonl) {
    std::set<std::string> out;
    std::istringstream in(jsonl);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.insert(json::parse(line)["point"].get<std::string>());
    }
    return out;
}

class SunspecSite : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_reference_models()) GTEST_SKIP() << no_reference_models_reason();
        dir_ = (std::filesystem::temp_directory_path() /
                ("regpoll-sunspec-site-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                   .string();
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    CommandResult run_once(const std::string& config) {
        return regpoll({"run", "-c", config, "--once", "--output", "jsonl"},
                       std::chrono::seconds(60));
    }
    std::string dir_;
};

TEST_F(SunspecSite, DiscoversMeasurementModelsAndCachesThem) {
    SunspecPeer peer(chain("1"));
    const auto config = write_site(peer, dir_, json::object());
    auto r = run_once(config);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto points = sampled_points(r.out);
    EXPECT_TRUE(points.contains("m1_mn"));
    EXPECT_TRUE(points.contains("m103_w"));
    EXPECT_TRUE(points.contains("m160_module_2_dca"));
    EXPECT_FALSE(points.contains("m123_w_max_lim_pct")) << "controls are not polled by default";
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/sunspec-inverter.json"));
    EXPECT_NE(r.err.find("SunSpec discovery at unit 1, base 40000"), std::string::npos) << r.err;
}

TEST_F(SunspecSite, ModelsPickModelsAndMustExist) {
    SunspecPeer peer(chain("1"));
    auto r = run_once(write_site(peer, dir_, {{"models", {160}}}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto points = sampled_points(r.out);
    EXPECT_TRUE(points.contains("m160_module_1_dcv"));
    EXPECT_FALSE(points.contains("m103_w"));
    r = run_once(write_site(peer, dir_, {{"models", {160, 999}}}));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/devices/0/profile: SunSpec discovery of unit 1"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("\"models\" names 999, which the device does not have"), std::string::npos)
        << r.err;
    r = run_once(write_site(peer, dir_, {{"models", "103"}}));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/devices/0/models: expected a list of SunSpec model ids"),
              std::string::npos)
        << r.err;
}

TEST_F(SunspecSite, AsleepAtNightKeepsTheCachedProfile) {
    {
        SunspecPeer awake(chain("1"));
        auto r = run_once(write_site(awake, dir_, json::object()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    SunspecPeer asleep(chain("1"), {"--exception-units", "1"});
    const auto config = write_site(asleep, dir_, json::object());
    auto valid = regpoll({"validate", "-c", config, "-q"});
    EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
    auto r = run_once(config);
    EXPECT_EQ(r.exit_code, 1) << "offline, not a configuration error: " << r.err;
    EXPECT_NE(r.err.find("using the cached profile"), std::string::npos) << r.err;
}

TEST_F(SunspecSite, NewIdentityIsDiscoveredAgain) {
    {
        SunspecPeer first(chain("1"));
        ASSERT_EQ(run_once(write_site(first, dir_, json::object())).exit_code, 0);
    }
    SunspecPeer replaced(chain("2"));
    auto r = run_once(write_site(replaced, dir_, json::object()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("now regpoll site 2"), std::string::npos) << r.err;
    std::ifstream identity(dir_ + "/sunspec-inverter.json.identity");
    EXPECT_EQ(json::parse(identity)["SN"], "2");
}

TEST_F(SunspecSite, SighupDiscoversAgain) {
    SunspecPeer peer(chain("1"));
    const auto config = write_site(peer, dir_, json::object());
    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config, "--output", "jsonl"},
                       "{\"ts\":", std::chrono::seconds(30), dir_ + "/run.log");
    const std::string marker = "SunSpec discovery at unit 1, base 40000";
    auto count = [&] {
        const auto log = poller.stderr_log();
        std::size_t n = 0;
        for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count(), 1u);
    ASSERT_TRUE(poller.send_signal(SIGHUP));
    for (int i = 0; i < 200 && count() < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(count(), 2u) << poller.stderr_log();
    EXPECT_EQ(poller.stop(), 0);
}

TEST_F(SunspecSite, NoDeviceAndNoCacheIsAConfigurationError) {
    SunspecPeer asleep(chain("1"), {"--exception-units", "1"});
    auto r = run_once(write_site(asleep, dir_, json::object()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("SERVER DEVICE FAILURE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no cached profile"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace regpoll::testing
