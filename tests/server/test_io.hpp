#pragma once
// Test helpers: blocking POSIX I/O with timeouts for the client side of server tests (a
// test's own client must never hang), and an io_context running on a thread.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <span>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "modbus/frame.hpp"

namespace regpoll::server::test {

using Bytes = std::vector<std::uint8_t>;
using Millis = std::chrono::milliseconds;

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

inline Fd connect_tcp(std::uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Fd{};
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

inline bool write_all(int fd, const Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Whatever arrives within `timeout` (empty: nothing). `closed` is set on EOF or error.
inline Bytes read_some(int fd, Millis timeout, bool* closed = nullptr) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    Bytes buf(4096);
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) {
        if (closed) *closed = true;
        return {};
    }
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

// True when the peer closes within `timeout` (data still arriving is skipped).
inline bool wait_closed(int fd, Millis timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        bool closed = false;
        (void)read_some(fd, Millis(20), &closed);
        if (closed) return true;
    }
    return false;
}

using FrameParser = std::function<modbus::ParseResult(std::span<const std::uint8_t>)>;

// Reads until `parse` finds a frame (returned whole, as bytes) or an error, or `timeout`
// passes (nullopt). Bytes after the frame are kept in `rest`.
inline std::optional<Bytes> read_frame(int fd, const FrameParser& parse, Millis timeout,
                                       Bytes* rest = nullptr) {
    Bytes buf = rest ? std::move(*rest) : Bytes{};
    if (rest) rest->clear();
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (!buf.empty()) {
            auto r = parse(buf);
            if (r.status != modbus::ParseResult::Status::need_more) {
                Bytes frame(buf.begin(), buf.begin() + static_cast<long>(r.consumed));
                if (rest) rest->assign(buf.begin() + static_cast<long>(r.consumed), buf.end());
                return frame;
            }
        }
        const auto left =
            std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        bool closed = false;
        Bytes more = read_some(fd, left, &closed);
        if (closed) return std::nullopt;
        buf.insert(buf.end(), more.begin(), more.end());
    }
}

// An io_context running on its own thread until stop().
class IoThread {
  public:
    IoThread() : guard_(io_.get_executor()) {}
    ~IoThread() { stop(); }
    boost::asio::io_context& io() { return io_; }
    void start() {
        thread_ = std::thread([this] { io_.run(); });
    }
    // Runs `fn` on the io thread (e.g. server.stop()), then lets run() return and joins.
    void stop(std::function<void()> fn = {}) {
        if (!thread_.joinable()) return;
        boost::asio::post(io_, [this, fn = std::move(fn)] {
            if (fn) fn();
            guard_.reset();
            io_.stop();
        });
        thread_.join();
    }
    // Runs `fn` on the io thread and waits for it.
    template <class Fn>
    auto call(Fn fn) {
        std::promise<decltype(fn())> done;
        boost::asio::post(io_, [&] {
            if constexpr (std::is_void_v<decltype(fn())>) {
                fn();
                done.set_value();
            } else {
                done.set_value(fn());
            }
        });
        return done.get_future().get();
    }

  private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

}  // namespace regpoll::server::test
