// The network faces of serial Modbus, through the regpoll binary: RTU and ASCII over TCP
// to a serial-to-Ethernet converter (a socat TCP listener bridged to a pty with pymodbus'
// serial server behind it, and pymodbus' own RTU/ASCII-over-TCP servers), and listen
// mode with devices that dial in (socat or tests/integration/peer/dial_in.py relaying to
// pymodbus), including one that hangs up and dials in again and one that is refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "regpoll_cli.hpp"
#include "socat.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;

std::string values_file() { return cli_values_file(); }

std::string local(const std::string& scheme, std::uint16_t port, const std::string& query = "") {
    return scheme + "://127.0.0.1:" + std::to_string(port) + (query.empty() ? "" : "?" + query);
}

TEST(ConverterCli, RtuOverTcpThroughAConverterToASerialDevice) {
    PtyPair line;
    auto device = start_modbus_peer({"--transport", "rtu", "--device", line.b(), "--units", "1,3",
                                     "--values", values_file()});
    // The converter takes one client at a time, like most: one socat per command.
    const auto through_converter = [&](std::vector<std::string> args) {
        auto converter = start_socat("TCP-LISTEN:0,bind=127.0.0.1,reuseaddr OPEN:" + line.a() + ",rawer",
                                     (line.dir() / "converter.log").string());
        args.insert(args.begin() + 1, local("rtu+tcp", socat_listen_port(converter)));
        return regpoll(args);
    };
    EXPECT_EQ(json_of(through_converter({"read", "-a", "100", "-T", "int16", "-j"}))["values"][0], -1234);
    auto w = through_converter({"write", "-u", "3", "-a", "240", "-T", "float32", "2.5"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    EXPECT_EQ(json_of(through_converter({"read", "-u", "3", "-a", "240", "-T", "float32", "-j"}))["values"][0], 2.5);
    auto scan = json_of(through_converter({"scan", "--units", "1-3", "-j"}));
    ASSERT_EQ(scan["units"].size(), 2U);
    EXPECT_EQ(scan["units"][1]["unit"], 3);
    EXPECT_EQ(scan["units"][1]["vendor"], "regpoll-test");
}

TEST(ConverterCli, RtuAndAsciiOverTcpAgainstPymodbus) {
    for (const std::string transport : {"rtu-over-tcp", "ascii-over-tcp"}) {
        SCOPED_TRACE(transport);
        auto peer = start_modbus_peer({"--transport", transport, "--units", "1,3", "--values", values_file()});
        const std::string uri = local(transport == "rtu-over-tcp" ? "rtu+tcp" : "ascii+tcp", peer.ready_port());
        EXPECT_EQ(json_of(regpoll({"read", uri, "-a", "0", "-c", "300", "-j"}))["raw"].size(), 300U);
        auto e = regpoll({"read", uri, "-a", "999", "-c", "2"});
        EXPECT_EQ(e.err, "regpoll: exception ILLEGAL DATA ADDRESS (2)\n");
        auto s = regpoll({"read", uri, "-u", "2", "-a", "0", "-t", "300ms"});
        EXPECT_EQ(s.err, "regpoll: timeout after 300 ms\n");
        auto scan = json_of(regpoll({"scan", uri, "--units", "1-4", "-j"}));
        EXPECT_EQ(scan["units"].size(), 2U);
    }
}

// regpoll listens on `port`; a dial-in device relays to `peer`.
PeerProcess dial_in(std::uint16_t port, std::uint16_t peer, const std::string& framing,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{peer_python(), "-I", source_dir() + "/tests/integration/peer/dial_in.py",
                                  "--to", std::to_string(port), "--peer", std::to_string(peer),
                                  "--framing", framing};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return PeerProcess(argv, "READY");
}

TEST(ListenCli, DeviceDialsInOverTcpAndRtu) {
    {
        auto peer = start_modbus_peer({"--transport", "tcp", "--values", values_file()});
        const auto port = free_tcp_port();
        auto device = start_socat("TCP:127.0.0.1:" + std::to_string(port) + ",retry=200,interval=0.05 TCP:127.0.0.1:" +
                                      std::to_string(peer.ready_port()),
                                  "/dev/null");
        EXPECT_EQ(json_of(regpoll({"read", local("tcp+listen", port), "-a", "100", "-T", "int16", "-j"}))["values"][0],
                  -1234);
    }
    {
        auto peer = start_modbus_peer({"--transport", "rtu-over-tcp", "--values", values_file()});
        const auto port = free_tcp_port();
        auto device = dial_in(port, peer.ready_port(), "rtu");
        auto w = regpoll({"write", local("rtu+listen", port, "allow=127.0.0.1"), "-a", "250", "99"});
        ASSERT_EQ(w.exit_code, 0) << w.err;
        EXPECT_EQ(w.out, "wrote 1 register at 250 (FC6)\n");
    }
}

TEST(ListenCli, DeviceThatHangsUpAndDialsInAgainIsPolledAgain) {
    auto peer = start_modbus_peer({"--transport", "tcp", "--values", values_file()});
    const auto port = free_tcp_port();
    // Hangs up after every answer; regpoll's pause=1s lets the hang-up land between requests.
    auto device = dial_in(port, peer.ready_port(), "mbap", {"--drop-after", "1", "--redial-ms", "100"});
    auto r = regpoll({"read", local("tcp+listen", port, "pause=1s"), "-a", "0", "-c", "300", "-d", "-j"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["raw"].size(), 300U);
    EXPECT_EQ(j["raw"][100], 64302);
    std::size_t dial_ins = 0;
    for (auto at = r.err.find("device dialled in"); at != std::string::npos; at = r.err.find("device dialled in", at + 1)) {
        ++dial_ins;
    }
    EXPECT_EQ(dial_ins, 3U) << r.err;  // one connection per request
}

TEST(ListenCli, DeviceFromAnAddressOutsideTheAllowListIsRefused) {
    auto peer = start_modbus_peer({"--transport", "tcp", "--values", values_file()});
    const auto port = free_tcp_port();
    auto device = dial_in(port, peer.ready_port(), "mbap");
    auto r = regpoll({"read", local("tcp+listen", port, "allow=10.0.0.1&wait=1s"), "-a", "0"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("regpoll: warning: tcp+listen://127.0.0.1:" + std::to_string(port) +
                         "?allow=10.0.0.1&wait=1s: refused connection from 127.0.0.1:"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("peer address not in the allow-list"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace regpoll::testing
