#include "output.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace influxdb {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t udp_payload = 1400;  // below a typical 1500-byte MTU
constexpr int connect_timeout_ms = 2000;

std::string sys_error(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// The length of the complete lines at the front of `s` that fit in `limit` bytes; a first
// line longer than `limit` is taken whole.
std::size_t lines_within(const std::string& s, std::size_t limit) {
    std::size_t end = 0;
    for (std::size_t nl = s.find('\n'); nl != std::string::npos; nl = s.find('\n', nl + 1)) {
        if (nl + 1 > limit && end > 0) break;
        end = nl + 1;
        if (end >= limit) break;
    }
    return end;
}

class FileOutput final : public Output {
  public:
    FileOutput(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~FileOutput() override { ::close(fd_); }
    bool send(std::string& buffer, std::string& error) override {
        std::size_t done = 0;
        while (done < buffer.size()) {
            const ssize_t n = ::write(fd_, buffer.data() + done, buffer.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                error = sys_error(("writing " + path_).c_str());
                buffer.erase(0, done);
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        buffer.clear();
        return true;
    }
    std::string describe() const override { return path_; }

  private:
    int fd_;
    std::string path_;
};

struct Address {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = 0;
};

class UdpOutput final : public Output {
  public:
    UdpOutput(int fd, Address to, std::string target)
        : fd_(fd), to_(to), target_(std::move(target)) {}
    ~UdpOutput() override { ::close(fd_); }
    bool send(std::string& buffer, std::string& error) override {
        bool ok = true;
        while (!buffer.empty()) {
            std::size_t n = lines_within(buffer, udp_payload);
            if (n == 0) n = buffer.size();
            if (::sendto(fd_, buffer.data(), n, 0, reinterpret_cast<const sockaddr*>(&to_.addr),
                         to_.len) < 0 &&
                ok) {
                error = sys_error(("sending to " + target_).c_str());
                ok = false;
            }
            buffer.erase(0, n);
        }
        return ok;
    }
    std::string describe() const override { return target_; }

  private:
    int fd_;
    Address to_;
    std::string target_;
};

class TcpOutput final : public Output {
  public:
    TcpOutput(Address to, std::string target) : to_(to), target_(std::move(target)) {}
    ~TcpOutput() override { disconnect(); }
    bool send(std::string& buffer, std::string& error) override {
        if (buffer.empty()) return true;
        if (fd_ >= 0 && peer_closed()) disconnect();
        if (fd_ < 0 && !connect(error)) return false;
        std::size_t done = 0;
        while (done < buffer.size()) {
            const ssize_t n = ::send(fd_, buffer.data() + done, buffer.size() - done, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                error = sys_error(("sending to " + target_).c_str());
                // Whatever part of a line went out is lost with the connection: the line is
                // sent again, whole, on the next one.
                const auto last_nl = done == 0 ? std::string::npos : buffer.rfind('\n', done - 1);
                buffer.erase(0, last_nl == std::string::npos ? 0 : last_nl + 1);
                disconnect();
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        buffer.clear();
        return true;
    }
    std::string describe() const override { return target_; }

  private:
    // The reader never writes to us: anything readable is its close (or an error).
    bool peer_closed() const {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        char c;
        return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
    }
    void disconnect() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool connect(std::string& error) {
        const auto now = Clock::now();
        if (now < next_attempt_) {
            error = "not connected to " + target_ + " (" + last_error_ + "; next attempt in " +
                    std::to_string(
                        std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now)
                            .count()) +
                    " ms)";
            return false;
        }
        const int fd = ::socket(to_.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) return failed(sys_error("socket"), error);
        int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&to_.addr), to_.len);
        if (rc < 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, connect_timeout_ms);
            int so_error = 0;
            socklen_t len = sizeof so_error;
            if (rc == 0) {
                so_error = ETIMEDOUT;
            } else if (rc > 0) {
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            } else {
                so_error = errno;
            }
            errno = so_error;
            rc = so_error == 0 ? 0 : -1;
        }
        if (rc < 0) {
            const auto why = sys_error(("connecting to " + target_).c_str());
            ::close(fd);
            return failed(why, error);
        }
        // Blocking from here on, with a bound on how long one send may wait.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        fd_ = fd;
        backoff_ = std::chrono::seconds(0);
        return true;
    }
    bool failed(const std::string& why, std::string& error) {
        backoff_ = std::clamp(backoff_ * 2, std::chrono::seconds(1), std::chrono::seconds(30));
        next_attempt_ = Clock::now() + backoff_;
        last_error_ = why;
        error = why;
        return false;
    }

    Address to_;
    std::string target_;
    int fd_ = -1;
    std::chrono::seconds backoff_{0};
    Clock::time_point next_attempt_{};
    std::string last_error_;
};

bool resolve(const std::string& hostport, int socktype, Address& out, std::string& error) {
    const auto colon = hostport.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hostport.size()) {
        error = "expected host:port, found \"" + hostport + "\"";
        return false;
    }
    std::string host = hostport.substr(0, colon);
    const std::string port = hostport.substr(colon + 1);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = socktype;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = "cannot resolve \"" + hostport + "\": " + ::gai_strerror(rc);
        return false;
    }
    std::memcpy(&out.addr, found->ai_addr, found->ai_addrlen);
    out.len = found->ai_addrlen;
    out.family = found->ai_family;
    ::freeaddrinfo(found);
    return true;
}

}  // namespace

std::unique_ptr<Output> open_output(const std::string& target, const std::string& config_dir,
                                    std::string& error) {
    if (target.rfind("udp://", 0) == 0) {
        Address to;
        if (!resolve(target.substr(6), SOCK_DGRAM, to, error)) return nullptr;
        const int fd = ::socket(to.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error = sys_error("socket");
            return nullptr;
        }
        return std::make_unique<UdpOutput>(fd, to, target);
    }
    if (target.rfind("tcp://", 0) == 0) {
        Address to;
        if (!resolve(target.substr(6), SOCK_STREAM, to, error)) return nullptr;
        return std::make_unique<TcpOutput>(to, target);
    }
    if (target.find("://") != std::string::npos) {
        error = "\"" + target +
                "\" is not an output (expected udp://host:port, tcp://host:port or a file path)";
        return nullptr;
    }
    std::string path = target;
    if (!path.empty() && path.front() != '/') path = config_dir + "/" + path;
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = sys_error(("cannot open " + path + " for appending").c_str());
        return nullptr;
    }
    return std::make_unique<FileOutput>(fd, path);
}

}  // namespace influxdb
