// `regpoll run` and `regpoll validate` with plugins, against the Modbus test peer (Debian's
// pymodbus): decoded text and InfluxDB lines from one run, plugin errors at start, and a sink
// that does not return while polling goes on.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "test_support.hpp"

namespace regpoll::plugin {
namespace {

using namespace std::chrono_literals;
using regpoll::testing::CommandResult;
using regpoll::testing::PeerProcess;
using regpoll::testing::run_command;
using regpoll::testing::start_modbus_peer;
using namespace regpoll::plugin::testing;

std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        const auto line = text.substr(pos, nl - pos);
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

PeerProcess growatt_peer(const std::string& dir) {
    // Status 1 (normal), fault code 26, warning bits 0 and 6.
    const auto values = write_file(dir + "/values.json",
                                   R"({ "input": { "0": [1], "40": [26], "64": ["0x0041"] } })");
    return start_modbus_peer({"--transport", "tcp", "--units", "1", "--values", values});
}

TEST(PluginRun, DecodedTextAndInfluxLinesFromOneRun) {
    const auto dir = temp_dir("run-growatt");
    auto peer = growatt_peer(dir);
    const auto config =
        write_file(dir + "/site.json", R"({
      "plugins": [ { "path": ")" + std::string(GROWATT_STATUS_PLUGIN) +
                                           R"(" },
                   { "path": "influxdb", "config": { "output": "site.lp", "precision": "ms", "availability": false } } ],
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                           std::to_string(peer.ready_port()) + R"(" } ],
      "devices": [ { "name": "inverter", "bus": "lab", "unit": 1, "points": [
          { "name": "status", "register": "input", "address": 0, "map": { "0": "waiting", "1": "normal", "3": "fault" } },
          { "name": "fault_code", "register": "input", "address": 40, "type": "growatt_fault" },
          { "name": "warning_code", "register": "input", "address": 64, "type": "growatt_warning" } ] } ] })");
    auto r = run_command({REGPOLL_BINARY, "run", "-c", config, "--once", "--output", "jsonl"}, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto samples = json_lines(r.out);
    ASSERT_EQ(samples.size(), 3U) << r.out;
    std::map<std::string, nlohmann::json> by_point;
    std::string expected_lp;
    for (const auto& s : samples) {
        by_point[s["point"].get<std::string>()] = s["value"];
        expected_lp += "regpoll,device=inverter,point=" + s["point"].get<std::string>() +
                       " value=\"" + s["value"].get<std::string>() + "\" " +
                       std::to_string(s["ts"].get<std::int64_t>()) + "\n";
    }
    EXPECT_EQ(by_point["status"], "normal");
    EXPECT_EQ(by_point["fault_code"], "PV Isolation Low");
    EXPECT_EQ(by_point["warning_code"], "Fan warning, SPD abnormal");
    // The influxdb plugin was found by name in the build tree; its relative output is next
    // to the configuration.
    EXPECT_EQ(read_file(dir + "/site.lp"), expected_lp);
    EXPECT_NE(r.err.find(dir + "/site.json: /plugins/1: plugin influxdb 1.0 ("), std::string::npos)
        << r.err;

    auto v = run_command({REGPOLL_BINARY, "validate", "-c", config}, 30s);
    ASSERT_EQ(v.exit_code, 0) << v.err;
    EXPECT_NE(v.out.find("plugin growatt_status 1.0 (" + std::string(GROWATT_STATUS_PLUGIN) +
                         "): type growatt_fault, type growatt_warning\n"),
              std::string::npos)
        << v.out;
    EXPECT_NE(v.out.find("): sink\n"), std::string::npos) << v.out;
}

TEST(PluginRun, PluginErrorsStopTheStartAndValidateReportsThem) {
    const auto dir = temp_dir("run-errors");
    auto site = [&](const std::string& plugin) {
        return write_file(dir + "/site.json", R"({ "plugins": [ { "path": ")" + plugin + R"(" } ],
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1" } ],
          "devices": [ { "name": "meter", "bus": "lab", "points": [ { "name": "x", "address": 0 } ] } ] })");
    };
    const auto config = site(test_plugin("wrong_abi"));
    const std::string abi_error =
        config + ": /plugins/0/path: " + test_plugin("wrong_abi") +
        " was built for plugin ABI version 99; this regpoll loads version 1 (rebuild the "
        "plugin against this regpoll's plugins/regpoll_plugin.h)";
    auto run = run_command({REGPOLL_BINARY, "run", "-c", config, "--once"}, 30s);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(abi_error), std::string::npos) << run.err;
    auto validate = run_command({REGPOLL_BINARY, "validate", "-c", config}, 30s);
    EXPECT_EQ(validate.exit_code, 2);
    EXPECT_NE(validate.err.find(abi_error + "\n"), std::string::npos) << validate.err;

    // A sink that cannot open: validate only loads it (opening has effects), run refuses.
    site(test_plugin("open_fails"));
    validate = run_command({REGPOLL_BINARY, "validate", "-c", config}, 30s);
    EXPECT_EQ(validate.exit_code, 0) << validate.err;
    EXPECT_NE(validate.out.find("plugin open_fails 1.0 (" + test_plugin("open_fails") + "): sink"),
              std::string::npos)
        << validate.out;
    run = run_command({REGPOLL_BINARY, "run", "-c", config, "--once"}, 30s);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(
        run.err.find(config + ": /plugins/0: plugin open_fails 1.0 (" + test_plugin("open_fails") +
                     ") could not open: cannot reach the moon (config {})"),
        std::string::npos)
        << run.err;
}

// The sink's write() does not return until the test opens a gate. Polling goes on at its
// interval meanwhile; the queue (5 entries) drops the oldest and counts them; once the gate
// opens and regpoll stops, every sample is either written or counted as dropped.
TEST(PluginRun, ASinkThatDoesNotReturnNeverHoldsUpPolling) {
    const auto dir = temp_dir("run-slow");
    auto peer = growatt_peer(dir);
    const auto gate = dir + "/gate";
    const auto record = dir + "/record";
    const auto config =
        write_file(dir + "/site.json", R"({
      "plugins": [ { "path": ")" + test_plugin("slow_sink") +
                                           R"(", "queue_size": 5,
                     "config": { "gate": ")" +
                                           gate + R"(", "record": ")" + record + R"(" } } ],
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                           std::to_string(peer.ready_port()) + R"(" } ],
      "devices": [ { "name": "inverter", "bus": "lab", "unit": 1, "interval": "50ms",
                     "points": [ { "name": "fault_code", "register": "input", "address": 40 } ] } ] })");
    const auto log = dir + "/regpoll.log";
    PeerProcess poller({REGPOLL_BINARY, "run", "-c", config, "--output", "jsonl"}, "{\"ts\":", 20s,
                       log);
    std::string out = "{\"ts\":" + poller.ready_value() + "\n";
    auto lines = [&] { return static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n')); };
    // 30 cycles while the sink holds its first batch. Were the poll loop waiting for the
    // sink, there would never be a second.
    for (int i = 0; i < 600 && lines() < 30; ++i) {
        std::this_thread::sleep_for(100ms);
        out += poller.read_available_stdout();
    }
    ASSERT_GE(lines(), 30U) << poller.stderr_log();
    write_file(gate, "");
    EXPECT_EQ(poller.stop(10s), 0) << poller.stderr_log();
    out += poller.read_available_stdout();
    const auto err = poller.stderr_log();
    EXPECT_NE(
        err.find(
            "plugin slow_sink: its queue is full (5 entries): dropped 1 of the oldest entries"),
        std::string::npos)
        << err;
    std::smatch m;
    const std::regex stats("plugin slow_sink \\(" + config +
                           ": /plugins/0\\): (\\d+) samples written, queue 0 "
                           "\\(max 5 of 5\\), (\\d+) dropped");
    ASSERT_TRUE(std::regex_search(err, m, stats)) << err;
    const auto written = std::stoul(m[1].str());
    const auto dropped = std::stoul(m[2].str());
    EXPECT_EQ(written + dropped, json_lines(out).size());
    const auto recorded = read_file(record);
    std::size_t recorded_samples = 0;
    for (std::size_t at = recorded.find("fault_code\n"); at != std::string::npos;
         at = recorded.find("fault_code\n", at + 1)) {
        ++recorded_samples;
    }
    EXPECT_EQ(recorded_samples, written);
    EXPECT_GE(dropped, 20U);
}

}  // namespace
}  // namespace regpoll::plugin
