#pragma once
// A Modbus TCP device (unit 1) that leaves chosen reads unanswered, or answers them with
// another transaction id: the fault injection the poller's "split a block that times out"
// rule and its count of discarded replies need, which regpoll's own server (random drop
// rates) cannot aim at one block. It also logs every write (FC6/FC16) and can refuse or
// ignore chosen ones, for the keepalive tests. Answers come from regpoll's responder and tables;
// blocking sockets on a thread of its own, one client at a time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/data_tables.hpp"
#include "server/responder.hpp"

namespace regpoll::poll::testing {

class PickyDevice {
  public:
    struct Read {
        std::uint16_t address;
        std::uint16_t count;
    };
    enum class Reply { answer, ignore, wrong_id, refuse };  // refuse: exception 6 (busy)
    struct Write {
        std::uint16_t address;
        std::vector<std::uint16_t> values;
        Reply reply;
    };
    // `reply(read, nth)`: what to do with the nth (0-based) read of that address+count.
    PickyDevice(const std::function<void(server::UnitTables&)>& fill,
                std::function<Reply(const Read&, unsigned nth)> reply)
        : reply_(std::move(reply)) {
        fill(tables_.add_unit(1));
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::listen(listener_, 4) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw std::runtime_error("picky device: cannot listen on loopback");
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~PickyDevice() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }
    // Every read taken up so far, answered or not, in order.
    std::vector<Read> reads() {
        std::lock_guard lock(mutex_);
        return reads_;
    }
    // `reply(write, nth)`: what to do with the nth (0-based) register write; the default
    // answers every one.
    void set_write_reply(std::function<Reply(const Write&, unsigned nth)> reply) {
        std::lock_guard lock(mutex_);
        write_reply_ = std::move(reply);
    }
    // Every register write taken up so far, in order, with what was done with it.
    std::vector<Write> writes() {
        std::lock_guard lock(mutex_);
        return writes_;
    }
    // Runs `f` on the device's tables while no request is being answered.
    template <class F>
    auto with_tables(F f) {
        std::lock_guard lock(mutex_);
        return f(*tables_.unit(1));
    }
    std::uint64_t connections() const { return connections_; }

  private:
    // Waits up to 50 ms for `fd` to be readable (so stop_ is seen).
    static bool readable(int fd) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, 50) > 0;
    }
    bool read_exactly(int fd, std::uint8_t* out, std::size_t n) {
        while (n > 0) {
            if (stop_) return false;
            if (!readable(fd)) continue;
            const auto got = ::read(fd, out, n);
            if (got <= 0) return false;
            out += got;
            n -= static_cast<std::size_t>(got);
        }
        return true;
    }
    void serve() {
        while (!stop_) {
            if (!readable(listener_)) continue;
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) continue;
            ++connections_;
            std::uint8_t header[7];
            while (read_exactly(fd, header, sizeof header)) {
                const std::size_t length = (header[4] << 8) | header[5];
                if (length < 2 || length > 254) break;
                std::vector<std::uint8_t> pdu(length - 1);
                if (!read_exactly(fd, pdu.data(), pdu.size())) break;
                auto reply = Reply::answer;
                if (pdu.size() >= 5 && (pdu[0] == 3 || pdu[0] == 4)) {
                    const Read r{static_cast<std::uint16_t>((pdu[1] << 8) | pdu[2]),
                                 static_cast<std::uint16_t>((pdu[3] << 8) | pdu[4])};
                    unsigned nth = 0;
                    {
                        std::lock_guard lock(mutex_);
                        for (const auto& seen : reads_) nth += seen.address == r.address && seen.count == r.count;
                        reads_.push_back(r);
                    }
                    reply = reply_(r, nth);
                    if (reply == Reply::ignore) continue;
                }
                if (auto w = as_write(pdu)) {
                    std::lock_guard lock(mutex_);
                    unsigned nth = 0;
                    for (const auto& seen : writes_) nth += seen.address == w->address;
                    w->reply = write_reply_ ? write_reply_(*w, nth) : Reply::answer;
                    reply = w->reply;
                    writes_.push_back(*w);
                    if (reply == Reply::ignore) continue;
                }
                std::optional<std::vector<std::uint8_t>> answer;
                if (reply == Reply::refuse) {
                    answer = std::vector<std::uint8_t>{static_cast<std::uint8_t>(pdu[0] | 0x80), 0x06};
                } else {
                    std::lock_guard lock(mutex_);
                    answer = server::route_request(tables_, header[6], pdu, server::ServeOptions{});
                }
                if (!answer) continue;
                std::vector<std::uint8_t> frame(header, header + 7);
                const auto size = answer->size() + 1;
                frame[4] = static_cast<std::uint8_t>(size >> 8);
                frame[5] = static_cast<std::uint8_t>(size & 0xFF);
                if (reply == Reply::wrong_id) frame[1] = static_cast<std::uint8_t>(frame[1] + 100);
                frame.insert(frame.end(), answer->begin(), answer->end());
                if (::write(fd, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) break;
            }
            ::close(fd);
        }
    }

    // A register write (FC6 or FC16) with its values; nullopt for anything else.
    static std::optional<Write> as_write(const std::vector<std::uint8_t>& pdu) {
        const auto word = [&](std::size_t i) { return static_cast<std::uint16_t>((pdu[i] << 8) | pdu[i + 1]); };
        if (pdu.size() == 5 && pdu[0] == 6) return Write{word(1), {word(3)}, Reply::answer};
        if (pdu.size() >= 6 && pdu[0] == 16 && pdu.size() == 6u + pdu[5]) {
            Write w{word(1), {}, Reply::answer};
            for (std::size_t i = 6; i + 1 < pdu.size(); i += 2) w.values.push_back(word(i));
            return w;
        }
        return std::nullopt;
    }

    server::DataTables tables_;
    std::function<Reply(const Read&, unsigned)> reply_;
    std::function<Reply(const Write&, unsigned)> write_reply_;
    std::atomic<std::uint64_t> connections_{0};
    std::vector<Write> writes_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<Read> reads_;
    std::thread thread_;
};

}  // namespace regpoll::poll::testing
