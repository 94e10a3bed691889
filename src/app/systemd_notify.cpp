#include "app/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace regpoll::app {

namespace {

std::optional<std::chrono::microseconds> watchdog_from_env() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (!usec || !*usec) return std::nullopt;
    // WATCHDOG_PID, when set, names the process the watchdog is for (not a child of it).
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid && *pid) {
        char* end = nullptr;
        const long long value = std::strtoll(pid, &end, 10);
        if (*end != '\0' || value != static_cast<long long>(::getpid())) return std::nullopt;
    }
    char* end = nullptr;
    const unsigned long long value = std::strtoull(usec, &end, 10);
    if (*end != '\0' || value == 0) return std::nullopt;
    return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(value));
}

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

SystemdNotifier::SystemdNotifier() : watchdog_(watchdog_from_env()) {
    if (const char* s = std::getenv("NOTIFY_SOCKET")) socket_ = s;
}

bool SystemdNotifier::notify(std::string_view message) {
    if (socket_.empty()) return true;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t length = 0;
    if (socket_[0] == '@' || socket_[0] == '/') {
        if (socket_.size() >= sizeof(addr.sun_path)) {
            error_ = "NOTIFY_SOCKET \"" + socket_ + "\" is too long for a unix socket name";
            return false;
        }
        std::memcpy(addr.sun_path, socket_.data(), socket_.size());
        // An abstract name starts with a NUL byte and is not NUL-terminated.
        if (socket_[0] == '@') addr.sun_path[0] = '\0';
        length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size() +
                                        (socket_[0] == '/' ? 1 : 0));
    } else {
        error_ = "NOTIFY_SOCKET \"" + socket_ + "\" is neither a path nor an abstract name (@...)";
        return false;
    }
    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        error_ = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const auto sent = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&addr), length);
    if (sent < 0 || static_cast<std::size_t>(sent) != message.size()) {
        error_ = "sending to NOTIFY_SOCKET " + socket_ + ": " +
                 (sent < 0 ? std::strerror(errno) : "short write");
        return false;
    }
    return true;
}

std::string reloading_message() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const long long usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
    return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

}  // namespace regpoll::app
