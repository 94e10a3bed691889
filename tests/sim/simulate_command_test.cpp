// `regpoll simulate` as users run it: several devices and listeners from a sim.json,
// mbpoll as an independent master, faults on the wire, a one-connection device, values
// that move, writes that stick, and the exit codes.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <stdlib.h>

#include <csignal>
#include <optional>
#include <thread>

#include "sim_process.hpp"

namespace regpoll::testing::sim {
namespace {

CommandResult mbpoll(std::uint16_t port, std::vector<std::string> args) {
    std::vector<std::string> argv{"mbpoll", "-m", "tcp", "-p", std::to_string(port), "-a", "1",
                                  "-0",     "-1", "-o",  "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("127.0.0.1");
    return run_command(argv, 30s);
}

std::vector<std::string> mbpoll_values(const std::string& out) {
    std::vector<std::string> values;
    std::size_t pos = 0;
    while ((pos = out.find("]: \t", pos)) != std::string::npos) {
        pos += 4;
        const auto end = out.find_first_of("\r\n", pos);
        values.push_back(out.substr(pos, end - pos));
    }
    return values;
}

std::vector<std::string> growatt(std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--profile", "growatt/min-tl-x", "--listen", "tcp://127.0.0.1:0", "--start-time",
        "10:30",     "--seconds",        "300"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

TEST(SimulateCommand, ServesSeveralDevicesOnSeveralListenersFromASimJson) {
    const std::string dump = temp_path("multi.dump.json");
    const std::string sim_json = write_file("multi.sim.json", R"({
      // two devices on the default listener, one on its own
      "listen": "tcp://127.0.0.1:0",
      "devices": [
        { "name": "inverter", "unit": 1, "profile": "growatt/min-tl-x",
          "points": { "ac_power": { "generator": "constant", "value": 1234.5 },
                      "status": { "generator": "constant", "value": "fault" } } },
        { "name": "meter", "unit": 2, "profile": "eastron/sdm630" },
        { "name": "sunspec", "unit": 1, "profile": "sunspec/inverter", "listen": "tcp://127.0.0.2:0",
          "points": { "dc_power": { "generator": "unavailable" } } }
      ] })");
    auto simulator = start_simulator(
        {"--config", sim_json, "--freeze", "--dump", dump, "--start-time", "12:00"}, "multi.log");
    const std::uint16_t first = simulator.ready_port();
    std::string rest;
    for (int i = 0; i < 100 && rest.find("READY ") == std::string::npos; ++i) {
        rest += simulator.read_available_stdout();
        std::this_thread::sleep_for(20ms);
    }
    const auto at = rest.find("READY ");
    ASSERT_NE(at, std::string::npos) << "one READY line per listener";
    const int second = std::stoi(rest.substr(at + 6));
    const std::string config =
        write_file("multi.site.json",
                   R"({ "buses": [ )" + bus("a", "tcp://127.0.0.1:" + std::to_string(first)) +
                       ", " + bus("b", "tcp://127.0.0.2:" + std::to_string(second)) +
                       R"( ], "devices": [ )" + device("inverter", "a", 1, "growatt/min-tl-x") +
                       ", " + device("meter", "a", 2, "eastron/sdm630") + ", " +
                       device("sunspec", "b", 1, "sunspec/inverter") + " ] }");
    int exit_code = -1;
    std::string err;
    const auto samples = poll_once(config, exit_code, err);
    ASSERT_EQ(exit_code, 0) << err;
    const json snapshot = read_json(dump);
    ASSERT_EQ(snapshot["devices"].size(), 3U);
    const char* refs[] = {"growatt/min-tl-x", "eastron/sdm630", "sunspec/inverter"};
    for (std::size_t i = 0; i < 3; ++i) {
        const json& d = snapshot["devices"][i];
        expect_decoded_as_intended(d["values"], samples, d["name"], *load_profile(refs[i]));
    }
    EXPECT_EQ(snapshot["devices"][0]["listen"], "tcp://127.0.0.1:" + std::to_string(first));
    EXPECT_EQ(samples.at("inverter.ac_power")["value"], 1234.5);
    EXPECT_EQ(samples.at("inverter.status")["value"], "fault");
    EXPECT_TRUE(samples.at("sunspec.dc_power")["value"].is_null());
    EXPECT_EQ(samples.at("sunspec.dc_power")["quality"], "unavailable");
    EXPECT_EQ(simulator.stop(), 0);
}

TEST(SimulateCommand, MbpollReadsTheRegistersTheProfileDescribes) {
    const std::string dump = temp_path("mbpoll.dump.json");
    auto simulator = start_simulator(growatt({"--freeze", "--dump", dump}), "mbpoll.log");
    const json values = read_json(dump)["devices"][0]["values"];
    // input 38, 39: l1_voltage and l1_current, uint16 × 0.1
    auto r = mbpoll(simulator.ready_port(), {"-t", "3", "-r", "38", "-c", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(mbpoll_values(r.out),
              (std::vector<std::string>{
                  std::to_string(std::lround(values["l1_voltage"].get<double>() * 10)),
                  std::to_string(std::lround(values["l1_current"].get<double>() * 10))}));
    // input 35-36: ac_power, int32 × 0.1, high word first
    r = mbpoll(simulator.ready_port(), {"-t", "3:int", "-B", "-r", "35", "-c", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(mbpoll_values(r.out), std::vector<std::string>{std::to_string(
                                        std::lround(values["ac_power"].get<double>() * 10))});
    EXPECT_GT(values["ac_power"].get<double>(), 0.0);  // 10:30: the sun is up
}

TEST(SimulateCommand, InjectedFaultsReachTheWire) {
    auto busy = start_simulator(
        growatt({"--freeze", "--exception-rate", "1", "--exception-code", "6"}), "busy.log");
    auto r = mbpoll(busy.ready_port(), {"-t", "3", "-r", "38", "-c", "2"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE((r.out + r.err).find("busy"), std::string::npos) << r.out << r.err;

    auto small = start_simulator(growatt({"--freeze", "--max-registers", "10"}), "small.log");
    r = mbpoll(small.ready_port(), {"-t", "3", "-r", "0", "-c", "11"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE((r.out + r.err).find("Illegal data value"), std::string::npos) << r.out << r.err;
    r = mbpoll(small.ready_port(), {"-t", "3", "-r", "0", "-c", "10"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // a slow device: 300 ms per reply at least (an upper bound would test the machine)
    auto slow = start_simulator(growatt({"--freeze", "--delay", "300ms"}), "slow.log");
    const auto start = std::chrono::steady_clock::now();
    r = mbpoll(slow.ready_port(), {"-t", "3", "-r", "38", "-c", "1"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

// A socat pseudo-terminal pair in a fresh folder: the simulator opens a(), masters b().
class PtyPair {
  public:
    PtyPair() {
        char pattern[] = "/tmp/regpoll-sim-pty-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        const std::string script =
            "echo READY pty; exec socat pty,raw,echo=0,link=" + a() + " pty,raw,echo=0,link=" + b();
        socat_.emplace(std::vector<std::string>{"/bin/sh", "-c", script}, "READY ", 10s,
                       dir_ + "/socat.log");
        for (int i = 0; i < 500 && !(fs::exists(a()) && fs::exists(b())); ++i)
            std::this_thread::sleep_for(10ms);
    }
    ~PtyPair() {
        socat_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;
    std::string a() const { return dir_ + "/a"; }
    std::string b() const { return dir_ + "/b"; }

  private:
    std::string dir_;
    std::optional<PeerProcess> socat_;
};

TEST(SimulateCommand, MbpollReadsASerialDeviceOnAPty) {
    PtyPair pty;
    const std::string dump = temp_path("pty.dump.json");
    auto simulator = start_simulator(
        {"--profile", "eastron/sdm120", "--listen", "rtu://" + pty.a() + "?parity=N", "--unit", "7",
         "--freeze", "--dump", dump, "--seconds", "300"},
        "pty.log");
    EXPECT_EQ(simulator.ready_value(), pty.a());
    const json values = read_json(dump)["devices"][0]["values"];
    auto r = run_command(
        {"mbpoll", "-m", "rtu", "-b",      "19200", "-P", "none", "-a", "7", "-0",   "-1",
         "-o",     "2",  "-t",  "3:float", "-B",    "-r", "0",    "-c", "1", pty.b()},
        30s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_EQ(mbpoll_values(r.out).size(), 1U) << r.out;
    EXPECT_DOUBLE_EQ(std::stod(mbpoll_values(r.out)[0]), values["voltage"].get<double>());
}

// regpoll's own serial-framing links against the simulator: RTU over TCP (a converter)
// and RTU on a pty. Every point decodes to what the simulator intended.
TEST(SimulateCommand, PollerReadsItOverRtuFraming) {
    PtyPair pty;
    const std::string tcp_dump = temp_path("rtu-tcp.dump.json");
    const std::string pty_dump = temp_path("rtu-pty.dump.json");
    auto over_tcp =
        start_simulator({"--profile", "eastron/sdm120", "--listen", "rtu+tcp://127.0.0.1:0",
                         "--freeze", "--dump", tcp_dump, "--seconds", "300"},
                        "rtu-tcp.log");
    auto on_pty = start_simulator(
        {"--profile", "eastron/sdm120", "--listen", "rtu://" + pty.a() + "?parity=N", "--unit", "2",
         "--freeze", "--dump", pty_dump, "--seconds", "300"},
        "rtu-pty.log");
    const std::string config = write_file(
        "rtu.site.json",
        R"({ "buses": [ )" +
            bus("converter", "rtu+tcp://127.0.0.1:" + std::to_string(over_tcp.ready_port())) +
            ", " + bus("line", "rtu://" + pty.b() + "?baud=19200&parity=N") +
            R"( ], "devices": [ )" + device("a", "converter", 1, "eastron/sdm120") + ", " +
            device("b", "line", 2, "eastron/sdm120") + " ] }");
    int exit_code = -1;
    std::string err;
    const auto samples = poll_once(config, exit_code, err);
    ASSERT_EQ(exit_code, 0) << err;
    const auto profile = load_profile("eastron/sdm120");
    expect_decoded_as_intended(read_json(tcp_dump)["devices"][0]["values"], samples, "a", *profile);
    expect_decoded_as_intended(read_json(pty_dump)["devices"][0]["values"], samples, "b", *profile);
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
}

// Reads one register over MBAP; false if the connection is gone.
bool read_one_register(int fd, std::uint16_t address) {
    const std::uint8_t request[] = {0,
                                    1,
                                    0,
                                    0,
                                    0,
                                    6,
                                    1,
                                    3,
                                    static_cast<std::uint8_t>(address >> 8),
                                    static_cast<std::uint8_t>(address & 0xFF),
                                    0,
                                    1};
    if (::send(fd, request, sizeof request, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof request))
        return false;
    std::uint8_t reply[64];
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return false;
    return ::recv(fd, reply, sizeof reply, 0) > 0;
}

TEST(SimulateCommand, AHuaweiDongleTakesOneClientAtATime) {
    // the profile says single_connection: a new client drops the one before
    auto simulator = start_simulator({"--profile", "huawei/sun2000", "--listen",
                                      "tcp://127.0.0.1:0", "--freeze", "--seconds", "300"},
                                     "huawei.log");
    const int first = connect_to(simulator.ready_port());
    ASSERT_TRUE(read_one_register(first, 30071));
    const int second = connect_to(simulator.ready_port());
    ASSERT_TRUE(read_one_register(second, 30071));
    EXPECT_FALSE(read_one_register(first, 30071));
    ::close(first);
    ::close(second);

    // --no-single-connection lifts it
    auto relaxed = start_simulator({"--profile", "huawei/sun2000", "--listen", "tcp://127.0.0.1:0",
                                    "--freeze", "--no-single-connection", "--seconds", "300"},
                                   "huawei-relaxed.log");
    const int a = connect_to(relaxed.ready_port());
    const int b = connect_to(relaxed.ready_port());
    EXPECT_TRUE(read_one_register(b, 30071));
    EXPECT_TRUE(read_one_register(a, 30071));
    ::close(a);
    ::close(b);
}

TEST(SimulateCommand, ValuesMoveUnlessFrozen) {
    const std::string dump = temp_path("moving.dump.json");
    // a simulated minute per real second, refreshed ten times a second
    auto simulator = start_simulator(
        growatt({"--speed", "60", "--refresh", "100ms", "--dump", dump}), "moving.log");
    const json before = read_json(dump);
    std::this_thread::sleep_for(1500ms);
    const json after = read_json(dump);
    EXPECT_GT(after["ts"].get<std::int64_t>(),
              before["ts"].get<std::int64_t>() + 30'000);  // ≥ 30 simulated s
    const auto& b = before["devices"][0]["values"];
    const auto& a = after["devices"][0]["values"];
    EXPECT_GT(a["operation_time"].get<double>(), b["operation_time"].get<double>());
    EXPECT_GE(a["energy_total"].get<double>(), b["energy_total"].get<double>());
    EXPECT_NE(a["l1_voltage"], b["l1_voltage"]);  // the random walk moved
}

TEST(SimulateCommand, WhatAClientWritesSticks) {
    const std::string dump = temp_path("write.dump.json");
    auto simulator = start_simulator(growatt({"--refresh", "100ms", "--dump", dump}), "write.log");
    const std::string uri = "tcp://127.0.0.1:" + std::to_string(simulator.ready_port());
    auto w =
        run_command({REGPOLL_BINARY, "write", uri, "-a", "3", "80"}, 30s);  // active_power_limit
    ASSERT_EQ(w.exit_code, 0) << w.err;
    std::this_thread::sleep_for(500ms);  // several refreshes later
    EXPECT_EQ(read_json(dump)["devices"][0]["values"]["active_power_limit"], 80);
    auto r = run_command({REGPOLL_BINARY, "read", uri, "-a", "3", "--json"}, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("80"), std::string::npos) << r.out;
}

TEST(SimulateCommand, PrintsIntendedValuesAsJsonLinesAfterReady) {
    auto simulator = start_simulator(growatt({"--freeze", "--print-values"}), "print.log");
    std::string out;
    for (int i = 0; i < 100 && out.find('\n') == std::string::npos; ++i) {
        out += simulator.read_available_stdout();
        std::this_thread::sleep_for(20ms);
    }
    const json line = json::parse(out.substr(0, out.find('\n')));
    EXPECT_EQ(line["name"], "growatt-min-tl-x-1");
    EXPECT_EQ(line["unit"], 1);
    EXPECT_TRUE(line["values"].contains("ac_power"));
    EXPECT_TRUE(line.contains("ts"));
}

TEST(SimulateCommand, StopsAfterSecondsOrOnSigtermWithStatus0) {
    const auto start = std::chrono::steady_clock::now();
    auto r = run_command({REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen",
                          "tcp://127.0.0.1:0", "--seconds", "0.5"},
                         30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("READY ", 0), 0U) << r.out;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);
    auto simulator = start_simulator(
        {"--profile", "eastron/sdm120", "--listen", "tcp://127.0.0.1:0"}, "sigterm.log");
    EXPECT_EQ(simulator.stop(), 0);
}

TEST(SimulateCommand, MistakesExit2AndSayWhere) {
    const std::string bad =
        write_file("bad.sim.json", R"({ "devices": [ { "profile": "growatt/min-tl-x",
        "points": { "ac_power": { "generator": "solar", "peak": "lots" } } } ] })");
    auto r = run_command({REGPOLL_BINARY, "simulate", "--config", bad}, 30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(
        r.err.find(bad + ": /devices/0/points/ac_power/peak: expected a number, found \"lots\""),
        std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");  // nothing listens, no READY

    r = run_command({REGPOLL_BINARY, "simulate", "--profile", "acme/nothing"}, 30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown profile \"acme/nothing\""), std::string::npos) << r.err;

    r = run_command({REGPOLL_BINARY, "simulate", "--config", bad, "--profile", "eastron/sdm120"},
                    30s);
    EXPECT_EQ(r.exit_code, 2);

    r = run_command(
        {REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen", "udp://1.2.3.4:5"},
        30s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--listen: \"udp://1.2.3.4:5\": unknown scheme"), std::string::npos)
        << r.err;

    r = run_command(
        {REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--drop-rate", "1.5"}, 30s);
    EXPECT_EQ(r.exit_code, 2);
}

TEST(SimulateCommand, AListenerThatCannotBindExits1) {
    auto simulator = start_simulator(
        {"--profile", "eastron/sdm120", "--listen", "tcp://127.0.0.1:0"}, "taken.log");
    auto r = run_command({REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen",
                          "tcp://127.0.0.1:" + std::to_string(simulator.ready_port())},
                         30s);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot listen on tcp://127.0.0.1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace regpoll::testing::sim
