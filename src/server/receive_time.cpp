#include "server/receive_time.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace regpoll::server::detail {

void enable_receive_timestamps(int fd) {
    const int on = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

SteadyTime arrival_from_age(SteadyTime now, std::chrono::nanoseconds stamp_age) {
    if (stamp_age < std::chrono::nanoseconds::zero() || stamp_age > std::chrono::seconds(1))
        return now;
    return now - std::chrono::duration_cast<SteadyTime::duration>(stamp_age);
}

StampedRead read_stamped(int fd, std::span<std::uint8_t> into) {
    StampedRead r;
    iovec iov{into.data(), into.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    const auto now = std::chrono::steady_clock::now();
    r.arrival = now;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            r.would_block = true;
        else
            r.error = std::error_code(errno, std::system_category());
        return r;
    }
    if (n == 0) {
        r.end_of_stream = true;
        return r;
    }
    r.bytes = static_cast<std::size_t>(n);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
        timespec stamp{};
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        timespec wall{};
        ::clock_gettime(CLOCK_REALTIME, &wall);
        const auto age = std::chrono::seconds(wall.tv_sec - stamp.tv_sec) +
                         std::chrono::nanoseconds(wall.tv_nsec - stamp.tv_nsec);
        r.arrival = arrival_from_age(now, age);
    }
    return r;
}

}  // namespace regpoll::server::detail
