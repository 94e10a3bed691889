#pragma once
// Test peers for Shine tests over loopback TCP, blocking I/O with deadlines: a stick's end
// of a connection (Peer::dial) and a listening "cloud" that takes the relay's connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "hex.hpp"

namespace regpoll::test {

// One end of a loopback TCP connection, blocking I/O with deadlines.
class Peer {
  public:
    explicit Peer(int fd) : fd_(fd) {}
    Peer(Peer&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Peer& operator=(Peer&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Peer() {
        if (fd_ >= 0) ::close(fd_);
    }
    static Peer dial(std::uint16_t port) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        return Peer(fd);
    }
    void send(const std::vector<std::uint8_t>& b) {
        ASSERT_EQ(::write(fd_, b.data(), b.size()), static_cast<ssize_t>(b.size()));
    }
    void send(std::string_view hex) { send(unhex(hex)); }
    // n bytes, or fewer when `within` passes or the other side closes.
    std::vector<std::uint8_t> read(std::size_t n,
                                   std::chrono::milliseconds within = std::chrono::seconds(5)) {
        std::vector<std::uint8_t> out;
        const auto deadline = std::chrono::steady_clock::now() + within;
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            std::uint8_t buf[1024];
            const auto got = ::read(fd_, buf, std::min(sizeof buf, n - out.size()));
            if (got <= 0) break;
            out.insert(out.end(), buf, buf + got);
        }
        return out;
    }
    // Whatever arrives within `within` (nothing, for a test that wants silence).
    std::vector<std::uint8_t> any(std::chrono::milliseconds within) { return read(4096, within); }

  private:
    int fd_ = -1;
};

// The cloud's side: listens on a loopback port; accept() takes the relay's connection.
class Cloud {
  public:
    explicit Cloud(std::uint16_t port = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(fd_, 4), 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~Cloud() { ::close(fd_); }
    std::uint16_t port() const { return port_; }
    std::optional<Peer> accept(std::chrono::milliseconds within = std::chrono::seconds(5)) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(within.count())) <= 0) return std::nullopt;
        return Peer(::accept(fd_, nullptr, nullptr));
    }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace regpoll::test
