// socat for tests: serial lines as pseudo-terminal pairs, converters (a TCP listener
// bridged to a pty) and devices that dial in (a TCP connection bridged to a peer).
// socat always runs as our direct child (a shell prints READY and execs it), so
// PeerProcess stops and reaps it; nothing is left for PID 1 to reap.
#pragma once

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include "peer_process.hpp"

namespace regpoll::testing {

// Starts `socat -d -d <args>` with its log in `log_path`.
inline PeerProcess start_socat(const std::string& args, const std::string& log_path) {
    return PeerProcess({"/bin/sh", "-c", "echo READY; exec socat -d -d " + args}, "READY",
                       std::chrono::seconds(10), log_path);
}

// Waits until `check` holds, polling; false after `limit`.
template <class Check>
bool wait_for(Check check, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!check()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// The port a `socat -d -d TCP-LISTEN:0,...` reports ("listening on AF=2 127.0.0.1:PORT").
inline std::uint16_t socat_listen_port(PeerProcess& socat) {
    static const std::regex listening("listening on AF=2 [0-9.]+:([0-9]+)");
    std::smatch m;
    std::string log;
    if (!wait_for([&] {
            log = socat.stderr_log();
            return std::regex_search(log, m, listening);
        })) {
        throw std::runtime_error("socat did not report its listening port: " + log);
    }
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// A loopback port that was free a moment ago (for a listener we cannot ask afterwards).
inline std::uint16_t free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

// A serial line: `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B` with both names in a
// private temporary directory. Bytes written to one end come out of the other.
class PtyPair {
public:
    PtyPair() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "regpoll-pty-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        a_ = (dir_ / "a").string();
        b_ = (dir_ / "b").string();
        socat_.emplace(start_socat("pty,raw,echo=0,link=" + a_ + " pty,raw,echo=0,link=" + b_,
                                   (dir_ / "socat.log").string()));
        if (!wait_for([&] {
                return (std::filesystem::exists(a_) && std::filesystem::exists(b_)) ||
                       !socat_->running();
            }) || !socat_->running()) {
            throw std::runtime_error("socat did not create " + a_ + " and " + b_ + ": " +
                                     socat_->stderr_log());
        }
    }
    ~PtyPair() {
        socat_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;

    // The two ends (symlinks to /dev/pts/N).
    const std::string& a() const { return a_; }
    const std::string& b() const { return b_; }
    // A scratch directory that lives as long as the pair.
    const std::filesystem::path& dir() const { return dir_; }
    // Ends the line, as an unplugged adapter would.
    void unplug() { socat_.reset(); }

private:
    std::filesystem::path dir_;
    std::string a_, b_;
    std::optional<PeerProcess> socat_;
};

}  // namespace regpoll::testing
