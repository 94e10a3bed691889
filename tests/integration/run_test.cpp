// `regpoll run` end to end against Debian's pymodbus server holding an Eastron SDM120's
// registers: the shipped profile decodes to the values the server holds.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string write_config(const std::string& name, const std::string& text) {
    const auto dir = fs::temp_directory_path() / ("regpoll-run-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

std::string sdm120_config(std::uint16_t port, const std::string& extra_devices = "") {
    return R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" + std::to_string(port) +
           R"(", "timeout": "1s" } ],
      "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120", "interval": "1s" })" +
           extra_devices + "] }";
}

std::map<std::string, nlohmann::json> samples_by_point(const std::string& jsonl) {
    std::map<std::string, nlohmann::json> out;
    std::size_t pos = 0;
    while (pos < jsonl.size()) {
        const auto nl = jsonl.find('\n', pos);
        const auto line = jsonl.substr(pos, nl - pos);
        if (!line.empty()) {
            auto j = nlohmann::json::parse(line);
            out[j["device"].get<std::string>() + "." + j["point"].get<std::string>()] = j;
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

class RunTest : public ::testing::Test {
protected:
    void SetUp() override {
        peer_.emplace(start_modbus_peer({"--transport", "tcp", "--units", "1", "--values",
                                         source_dir() + "/tests/integration/data/sdm120_values.json"}));
    }
    std::optional<PeerProcess> peer_;
};

TEST_F(RunTest, OnceDecodesAProfilesValuesAsJsonLines) {
    const auto config = write_config("once.json", sdm120_config(peer_->ready_port()));
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config, "--once", "--output", "jsonl"}, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto samples = samples_by_point(r.out);
    EXPECT_EQ(samples.size(), 14U) << r.out;  // every SDM120 point, fast and slow groups
    // the meter code an SDM120 shows at input 0xFC02 (32), through the profile's map
    EXPECT_EQ(samples["meter.product_code"]["value"], "SDM120-Modbus") << r.out;
    EXPECT_EQ(samples["meter.voltage"]["value"], 230.5);
    EXPECT_EQ(samples["meter.voltage"]["unit"], "V");
    EXPECT_EQ(samples["meter.voltage"]["quality"], "good");
    EXPECT_EQ(samples["meter.current"]["value"], 5.25);
    EXPECT_EQ(samples["meter.power"]["value"], 1210.125);
    EXPECT_EQ(samples["meter.frequency"]["value"], 50.0);
    EXPECT_EQ(samples["meter.import_energy"]["value"], 1234.5);
    EXPECT_EQ(samples["meter.total_energy"]["value"], 2000.0);
    EXPECT_EQ(samples["meter.export_energy"]["value"], 0.0);
    const auto ts = samples["meter.voltage"]["ts"].get<std::int64_t>();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LE(ts, now);
    EXPECT_GT(ts, now - 60'000);  // Unix milliseconds
    // the plan is logged at start
    EXPECT_NE(r.err.find("requests touching"), std::string::npos) << r.err;
}

TEST_F(RunTest, OnceExitsWith1WhenADeviceDoesNotAnswerAndTheOthersStillReport) {
    const auto config = write_config(
        "missing.json", sdm120_config(peer_->ready_port(),
                                      R"(, { "name": "ghost", "bus": "lab", "unit": 9, "points": [ { "name": "x", "address": 0 } ] })"));
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config, "--once", "--output", "jsonl"}, 30s);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto samples = samples_by_point(r.out);
    EXPECT_EQ(samples["meter.voltage"]["value"], 230.5);
    EXPECT_EQ(samples.count("ghost.x"), 0U);
}

TEST_F(RunTest, InvalidConfigurationStartsNothingAndExits2) {
    auto r = run_command({REGPOLL_BINARY, "run", "-c", source_dir() + "/tests/profile/broken/type-typo.json", "--once"}, 30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/devices/0/points/0/type: \"flaot32\" is not a type"), std::string::npos) << r.err;
    auto v = run_command({REGPOLL_BINARY, "validate", "-c", source_dir() + "/tests/profile/broken/overlap.json"}, 30s);
    EXPECT_EQ(v.exit_code, 2);
    EXPECT_NE(v.err.find("overlaps"), std::string::npos) << v.err;
}

// A site's "keepalive" is checked by the profile's rules, and each mistake names the site
// file and the entry's path.
TEST(SiteKeepaliveValidate, MistakesNameTheSiteFileAndPathAndExit2) {
    write_config("charger.json", R"({ "manufacturer": "Test", "model": "Charger", "source": "test",
      "limits": { "write_watchdog": "20s" },
      "keepalive": [ { "point": "max_current", "every": "10s" } ],
      "points": [ { "name": "max_current", "address": 10, "type": "uint16", "writable": true, "min": 0, "max": 32 },
                  { "name": "state", "address": 20, "type": "uint16" } ] })");
    const auto site = write_config("keepalive-site.json", R"({
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "charger", "bus": "lab", "unit": 1, "profile": "./charger.json", "writes": "all",
                     "keepalive": [ { "point": "max_current", "every": "30s" },
                                    { "point": "state", "every": "5s" },
                                    { "point": "max_current", "every": "off", "value": 40 } ] } ] })");
    auto v = run_command({REGPOLL_BINARY, "validate", "-c", site}, 30s);
    EXPECT_EQ(v.exit_code, 2) << v.out << v.err;
    EXPECT_NE(v.err.find("keepalive-site.json: /devices/0/keepalive/0/every: \"30s\" is not shorter than the "
                         "device's write_watchdog (20s)"),
              std::string::npos)
        << v.err;
    EXPECT_NE(v.err.find("keepalive-site.json: /devices/0/keepalive/1/point: point \"state\" is not writable"),
              std::string::npos)
        << v.err;
    EXPECT_NE(v.err.find("keepalive-site.json: /devices/0/keepalive/2/point: point \"max_current\" is listed twice"),
              std::string::npos)
        << v.err;

    // The same site with a period the watchdog allows validates.
    const auto good = write_config("keepalive-good.json", R"({
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "charger", "bus": "lab", "unit": 1, "profile": "./charger.json", "writes": "all",
                     "keepalive": [ { "point": "max_current", "every": "5s" } ] } ] })");
    auto ok = run_command({REGPOLL_BINARY, "validate", "-c", good}, 30s);
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

TEST_F(RunTest, ValidatePrintsThePlan) {
    const auto config = write_config("validate.json", sdm120_config(peer_->ready_port()));
    auto r = run_command({REGPOLL_BINARY, "validate", "-c", config}, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("device meter (Eastron SDM120) on lab unit 1: 14 points"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("input 0+32"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(": OK"), std::string::npos);
}

TEST_F(RunTest, RunsUntilSigtermAndReloadsOnSighupKeepingTheOldConfigWhenTheNewIsInvalid) {
    const auto config = write_config("long.json", sdm120_config(peer_->ready_port()));
    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config, "--output", "jsonl"}, "{\"ts\":", 20s);
    // break the file, then SIGHUP: the poller must keep polling with the old configuration
    write_config("long.json", "{ \"buses\": [ ");
    ASSERT_TRUE(poller.send_signal(SIGHUP));
    std::this_thread::sleep_for(2500ms);
    const auto more = poller.read_available_stdout();
    EXPECT_NE(more.find("\"point\":\"voltage\""), std::string::npos) << "no samples after a rejected reload";
    EXPECT_TRUE(poller.running());
    EXPECT_EQ(poller.stop(), 0);  // SIGTERM: clean exit
}

}  // namespace
}  // namespace regpoll::testing
