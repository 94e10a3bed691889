#include "peer_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;

// Writes `json` to a file in the temporary directory and returns its path.
std::string write_values_file(const std::string& name, const std::string& json) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("regpoll-" + std::to_string(::getpid()) + "-" + name + ".json");
    std::ofstream(path) << json;
    return path.string();
}

// One Modbus/TCP transaction over a fresh connection to 127.0.0.1:port. `request` is a
// complete ADU (MBAP header + PDU); returns the complete response ADU.
std::vector<std::uint8_t> modbus_tcp_transaction(std::uint16_t port,
                                                 const std::vector<std::uint8_t>& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    timeval receive_timeout{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }

    std::vector<std::uint8_t> response;
    const auto receive = [&](std::size_t count) {
        const std::size_t start = response.size();
        response.resize(start + count);
        std::size_t got = 0;
        while (got < count) {
            const ssize_t n = ::recv(fd, response.data() + start + got, count - got, 0);
            if (n <= 0) {
                throw std::runtime_error(n == 0 ? std::string("connection closed")
                                                : std::string("recv: ") + std::strerror(errno));
            }
            got += static_cast<std::size_t>(n);
        }
    };
    receive(7);  // MBAP header: transaction id, protocol id, length, unit id
    const std::size_t length = (std::size_t{response[4]} << 8) | response[5];
    if (length < 2 || length > 254) {
        throw std::runtime_error("bad MBAP length " + std::to_string(length));
    }
    receive(length - 1);  // PDU (the length field counts the unit id too)
    return response;
}

// FC3 read holding registers: the 12-byte request, built by hand.
std::vector<std::uint8_t> read_holding_request(std::uint8_t unit, std::uint16_t address,
                                               std::uint16_t count) {
    return {
        0x12,
        0x34,  // transaction id
        0x00,
        0x00,  // protocol id: Modbus
        0x00,
        0x06,  // length: unit id + 5 PDU bytes
        unit,
        0x03,  // function code: read holding registers
        static_cast<std::uint8_t>(address >> 8),
        static_cast<std::uint8_t>(address & 0xFF),
        static_cast<std::uint8_t>(count >> 8),
        static_cast<std::uint8_t>(count & 0xFF),
    };
}

bool process_exists(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno != ESRCH;
}

TEST(PeerProcessTest, ModbusPeerAnnouncesPortAndServesValuesFile) {
    const std::string values =
        write_values_file("peer-process-test", R"({"holding": {"100": [4660, 64302, "0x47F1"]}})");
    PeerProcess peer = start_modbus_peer({"--values", values, "--units", "1", "--seconds", "60"});

    const std::uint16_t port = peer.ready_port();
    EXPECT_GT(port, 0);
    EXPECT_EQ(peer.ready_value(), std::to_string(port));
    EXPECT_TRUE(peer.running());

    const auto response = modbus_tcp_transaction(port, read_holding_request(1, 100, 3));
    const std::vector<std::uint8_t> expected{
        0x12, 0x34, 0x00, 0x00, 0x00, 0x09, 0x01,  // MBAP: same transaction id, 9 bytes follow
        0x03, 0x06,                                // FC3, 6 data bytes
        0x12, 0x34, 0xFB, 0x2E, 0x47, 0xF1,        // 4660, 64302, 0x47F1
    };
    EXPECT_EQ(response, expected);

    if (HasFailure()) {
        std::cerr << "peer log " << peer.stderr_log_path() << ":\n" << peer.stderr_log();
    }
    std::filesystem::remove(values);
}

TEST(PeerProcessTest, ModbusPeerAnswersIllegalDataAddressPastHoldingSize) {
    PeerProcess peer = start_modbus_peer({"--holding-size", "10", "--seconds", "60"});
    const std::uint16_t port = peer.ready_port();

    const auto last = modbus_tcp_transaction(port, read_holding_request(1, 9, 1));
    ASSERT_EQ(last.size(), 11U);
    EXPECT_EQ(last[7], 0x03);

    const auto past_end = modbus_tcp_transaction(port, read_holding_request(1, 9, 2));
    const std::vector<std::uint8_t> exception_reply{0x12, 0x34, 0x00, 0x00, 0x00,
                                                    0x03, 0x01, 0x83, 0x02};
    EXPECT_EQ(past_end, exception_reply);

    if (HasFailure()) {
        std::cerr << "peer log " << peer.stderr_log_path() << ":\n" << peer.stderr_log();
    }
}

TEST(PeerProcessTest, DestructorStopsAndReapsThePeer) {
    pid_t pid = -1;
    {
        PeerProcess peer = start_modbus_peer({"--seconds", "60"});
        pid = peer.pid();
        ASSERT_GT(pid, 0);
        EXPECT_TRUE(process_exists(pid));
    }
    EXPECT_FALSE(process_exists(pid));
}

TEST(PeerProcessTest, StopReportsCleanExitOnSigterm) {
    PeerProcess peer = start_modbus_peer({"--seconds", "60"});
    EXPECT_EQ(peer.stop(), 0);
    EXPECT_FALSE(peer.running());
    EXPECT_EQ(peer.pid(), -1);
    EXPECT_EQ(peer.stop(), 0);  // idempotent
}

TEST(PeerProcessTest, StartFailureCarriesExitCodeAndLog) {
    try {
        start_modbus_peer({"--transport", "rtu"});  // no --device: usage error, exit 2
        FAIL() << "expected PeerStartError";
    } catch (const PeerStartError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("exit code 2"), std::string::npos) << message;
        EXPECT_NE(message.find("needs --device"), std::string::npos) << message;
    }
}

TEST(PeerProcessTest, TemporaryPeerLogIsRemovedWithThePeer) {
    std::string log_path;
    {
        PeerProcess peer = start_modbus_peer({"--seconds", "60"});
        log_path = peer.stderr_log_path();
        EXPECT_TRUE(std::filesystem::exists(log_path));
        EXPECT_NE(peer.stderr_log().find("listening on"), std::string::npos) << peer.stderr_log();
    }
    if (std::getenv("REGPOLL_TEST_LOG_DIR") == nullptr) {
        EXPECT_FALSE(std::filesystem::exists(log_path));
    }
}

TEST(PeerProcessTest, ReadyTimeoutKillsTheChild) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(PeerProcess({"sleep", "10"}, "READY ", 200ms), PeerStartError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(RunCommandTest, ReportsExitCodeAndOutput) {
    const CommandResult result =
        run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5000ms);
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.out, "out\n");
    EXPECT_EQ(result.err, "err\n");
    EXPECT_FALSE(result.timed_out);

    EXPECT_EQ(run_command({"true"}, 5000ms).exit_code, 0);
}

TEST(RunCommandTest, ReportsDeathBySignal) {
    const CommandResult result = run_command({"sh", "-c", "kill -KILL $$"}, 5000ms);
    EXPECT_EQ(result.exit_code, 128 + SIGKILL);
    EXPECT_FALSE(result.timed_out);
}

TEST(RunCommandTest, TimesOutSleep) {
    const auto start = std::chrono::steady_clock::now();
    const CommandResult result = run_command({"sleep", "10"}, 200ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.exit_code, -1);
    EXPECT_GE(elapsed, 200ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(RunCommandTest, TimeoutAlsoKillsGrandchildrenHoldingThePipes) {
    const auto start = std::chrono::steady_clock::now();
    const CommandResult result = run_command({"sh", "-c", "sleep 10; echo never"}, 200ms);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.out, "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(RunCommandTest, MissingProgramGives127) {
    const CommandResult result = run_command({"regpoll-no-such-program"}, 1000ms);
    EXPECT_EQ(result.exit_code, 127);
    EXPECT_NE(result.err.find("regpoll-no-such-program"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace regpoll::testing
