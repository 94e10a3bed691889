#pragma once
// A unix datagram socket bound to a name, as systemd's notify socket is: a path, or
// "@name" for an abstract socket. receive() waits up to `timeout` for one datagram.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>

namespace regpoll::testing {

class NotifySocket {
  public:
    explicit NotifySocket(const std::string& name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, name.data(), name.size());
        if (name[0] == '@') addr.sun_path[0] = '\0';
        const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                                                (name[0] == '@' ? 0 : 1));
        bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    bool bound() const { return bound_; }

    // One datagram, or "" when none came in time.
    std::string receive(std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[4096];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
    }

    // Receives until a datagram starts with `prefix` (others are skipped), or "" after
    // `timeout` in all.
    std::string receive_starting_with(
        const std::string& prefix, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now());
            auto message = receive(std::max(left, std::chrono::milliseconds(1)));
            if (message.rfind(prefix, 0) == 0) return message;
        }
        return "";
    }

  private:
    int fd_ = -1;
    bool bound_ = false;
};

}  // namespace regpoll::testing
