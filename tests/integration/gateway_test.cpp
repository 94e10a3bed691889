// The gateway end to end: `regpoll run` polls a device simulated by `regpoll simulate` that
// accepts one connection only, and masters we did not write (mbpoll, Debian's pymodbus)
// read through the gateway at the same time. Also a device on a serial line (a socat pty
// pair) reached over TCP, and a broken gateway section refused with its place.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration_support.hpp"
#include "peer_process.hpp"
#include "regpoll_cli.hpp"
#include "socat.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
using server_support::mbpoll_tcp;
using server_support::mbpoll_values;
using server_support::pymodbus;
namespace fs = std::filesystem;

// A published uint16 value as `mbpoll -t 4:hex` prints it (plain decimal would be signed).
std::string hex(const nlohmann::json& value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%04X", value.get<unsigned>());
    return text;
}

class GatewayRun : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/regpoll-gateway-XXXXXX";
        dir_ = ::mkdtemp(pattern);
    }
    void TearDown() override {
        if (HasFailure()) {
            for (auto* p : {&poller_, &device_}) {
                if (*p) std::cerr << (*p)->stderr_log() << "\n";
            }
        }
        poller_.reset();
        device_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // `regpoll simulate` of the test profile, frozen values; `listen` as the simulator takes it.
    void start_device(const std::string& listen, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{REGPOLL_BINARY, "simulate", "--profile", profile(),
                                      "--listen",     listen,     "--freeze"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        device_.emplace(argv, "READY ", 20s, dir_ + "/device.log");
    }

    // `regpoll run` with the device on `bus_uri` and a gateway on a free port; waits for
    // the first samples.
    void start_poller(const std::string& bus_uri, const std::string& gateway_fields = "") {
        gateway_port_ = free_tcp_port();
        const auto config = dir_ + "/site.json";
        std::ofstream(config) << R"({ "buses": [ { "name": "lab", "uri": ")" + bus_uri +
                                     R"(", "timeout": "1s" } ],
          "devices": [ { "name": "box", "bus": "lab", "unit": 1, "profile": ")" +
                                     profile() + R"(", "interval": "500ms" } ],
          "gateway": [ { "listen": "tcp://127.0.0.1:)" +
                                     std::to_string(gateway_port_) + R"(", "max_age": "10s")" +
                                     gateway_fields + " } ] }";
        poller_.emplace(std::vector<std::string>{REGPOLL_BINARY, "run", "-c", config, "--output",
                                                 "jsonl", "--status-file", dir_ + "/status.json"},
                        "{\"ts\":", 20s, dir_ + "/poller.log");
        ASSERT_TRUE(wait_for(
            [&] { return poller_->stderr_log().find("gateway tcp://") != std::string::npos; }));
    }

    // The values the poller published, by point (the ready line is the first sample).
    std::map<std::string, nlohmann::json> published() {
        std::this_thread::sleep_for(1200ms);  // at least two more cycles
        std::map<std::string, nlohmann::json> out;
        std::istringstream lines(poller_->read_available_stdout());
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty() || line[0] != '{') continue;
            auto j = nlohmann::json::parse(line);
            out[j["point"].get<std::string>()] = j["value"];
        }
        return out;
    }

    static std::string profile() {
        return source_dir() + "/tests/integration/data/gateway_box.json";
    }

    std::string dir_;
    std::uint16_t gateway_port_ = 0;
    std::optional<PeerProcess> device_;
    std::optional<PeerProcess> poller_;
};

TEST_F(GatewayRun, MbpollAndPymodbusReadThroughTheGatewayWhileTheDeviceSeesOneConnection) {
    start_device("tcp://127.0.0.1:0", {"--single-connection"});
    start_poller("tcp://127.0.0.1:" + device_->ready_value());
    const auto values = published();
    ASSERT_EQ(values.size(), 6U);

    auto holding = mbpoll_tcp(gateway_port_, {"-a", "1", "-t", "4:hex", "-r", "0", "-c", "4"});
    ASSERT_EQ(holding.exit_code, 0) << holding.out << holding.err;
    std::vector<std::string> expected;
    for (const char* p : {"h0", "h1", "h2", "h3"}) expected.push_back(hex(values.at(p)));
    EXPECT_EQ(mbpoll_values(holding.out), expected);

    // pymodbus, many requests over one connection, and again from a second client at once
    nlohmann::json ops = nlohmann::json::array();
    for (int i = 0; i < 20; ++i) {
        ops.push_back({{"op", "read_holding"}, {"address", 0}, {"count", 4}});
        ops.push_back({{"op", "read_input"}, {"address", 0}, {"count", 2}});
    }
    auto other = std::async(std::launch::async, [&] {
        return pymodbus({"--port", std::to_string(gateway_port_)}, ops);
    });
    const auto results = pymodbus({"--port", std::to_string(gateway_port_)}, ops);
    const auto results2 = other.get();
    ASSERT_EQ(results.size(), 40U) << results.dump();
    for (const auto* r : {&results, &results2}) {
        for (std::size_t i = 0; i < r->size(); i += 2) {
            EXPECT_EQ((*r)[i]["registers"], nlohmann::json({values.at("h0"), values.at("h1"),
                                                            values.at("h2"), values.at("h3")}));
            EXPECT_EQ((*r)[i + 1]["registers"], nlohmann::json({values.at("i0"), values.at("i1")}));
        }
    }

    EXPECT_EQ(poller_->stop(), 0);
    EXPECT_NE(poller_->stderr_log().find("cache hits"), std::string::npos);
    std::ifstream status_file(dir_ + "/status.json");
    const auto status = nlohmann::json::parse(status_file);
    ASSERT_TRUE(status.contains("gateways")) << status.dump();
    EXPECT_GE(status["gateways"][0]["requests"].get<int>(), 81);
    EXPECT_GE(status["gateways"][0]["cache_hits"].get<int>(), 1);
    EXPECT_EQ(device_->stop(), 0);
    // The simulator counts the connections it accepted: the poller's only.
    EXPECT_NE(device_->stderr_log().find(" 1 connections"), std::string::npos)
        << device_->stderr_log();
}

TEST_F(GatewayRun, ASerialDeviceIsReachableOverTcp) {
    server_support::SocatPair line;
    start_device("rtu://" + line.a());
    start_poller("rtu://" + line.b());
    const auto values = published();
    ASSERT_EQ(values.size(), 6U);
    auto input = mbpoll_tcp(gateway_port_, {"-a", "1", "-t", "3:hex", "-r", "0", "-c", "2"});
    ASSERT_EQ(input.exit_code, 0) << input.out << input.err;
    EXPECT_EQ(mbpoll_values(input.out),
              (std::vector<std::string>{hex(values.at("i0")), hex(values.at("i1"))}));
    // Registers the poller does not poll come from the device on demand: the simulator's
    // profile maps none past h3, so the device's own exception comes back.
    const auto beyond =
        pymodbus({"--port", std::to_string(gateway_port_)},
                 nlohmann::json::array({{{"op", "read_holding"}, {"address", 50}, {"count", 1}}}));
    EXPECT_EQ(beyond[0]["exception"], 2) << beyond.dump();
}

TEST(GatewayConfig, ABrokenGatewaySectionIsRefusedWithItsPlaceAndExit2) {
    char pattern[] = "/tmp/regpoll-gateway-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const auto config = dir + "/site.json";
    std::ofstream(config) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "box", "bus": "lab", "points": [ { "name": "a", "address": 0 } ] } ],
      "gateway": [ { "listen": "tcp://0.0.0.0:5020", "units": { "1": "inverter" }, "writes": "sometimes" } ] })";
    for (const char* command : {"validate", "run"}) {
        auto r = regpoll({command, "-c", config});
        EXPECT_EQ(r.exit_code, 2) << command;
        EXPECT_NE(
            r.err.find(config + ": /gateway/0/units/1: no device \"inverter\" (devices: box)"),
            std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find(config + ": /gateway/0/writes: "), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("\"sometimes\""), std::string::npos) << r.err;
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace regpoll::testing
