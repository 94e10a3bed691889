// The server's event streams over real loopback sockets: a client that stops reading is
// dropped once its queue is full, while one that reads goes on getting events.
#include "web/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace regpoll::web {
namespace {

using namespace std::chrono_literals;

// A connected client socket that asked for `target`; `receive_buffer` bytes of kernel buffer.
int open_stream(std::uint16_t port, const std::string& target, int receive_buffer) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    timeval limit{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    const auto request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
    return fd;
}

TEST(HttpServer, AStreamThatFallsBehindIsDroppedWhileOthersGoOn) {
    HttpLimits limits;
    limits.feed_period = 5ms;
    limits.stream_queue = 4;
    const auto event = std::make_shared<const std::string>("data: " + std::string(256 * 1024, 'x') + "\n\n");
    HttpServer server(
        [](const HttpRequest& r) {
            HttpResponse a;
            if (r.target != "/events") return json_error(404, "no");
            a.event_stream = true;
            a.body = "data: first\n\n";
            return a;
        },
        limits, [&](bool listened) { return listened ? event : nullptr; });
    ASSERT_FALSE(server.start("127.0.0.1", 0));

    const int slow = open_stream(server.port(), "/events", 4096);  // never reads
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> read_bytes{0};
    std::thread reader([&] {
        const int fd = open_stream(server.port(), "/events", 1 << 20);
        std::vector<char> buffer(1 << 16);
        while (!stop) {
            const auto n = ::recv(fd, buffer.data(), buffer.size(), 0);
            if (n == 0) break;
            if (n > 0) read_bytes += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (server.stats().dropped_streams == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(server.stats().dropped_streams, 1U);
    const auto before = read_bytes.load();
    std::this_thread::sleep_for(300ms);
    EXPECT_GT(read_bytes.load(), before + event->size()) << "the reading stream still gets events";
    EXPECT_EQ(server.stats().streams, 1U);
    stop = true;
    reader.join();
    ::close(slow);
    server.stop();
}

TEST(HttpServer, AStreamBeginsWithItsFirstEvent) {
    HttpServer server(
        [](const HttpRequest&) {
            HttpResponse a;
            a.event_stream = true;
            a.body = "data: hello\n\n";
            return a;
        },
        {}, [](bool) { return nullptr; });
    ASSERT_FALSE(server.start("127.0.0.1", 0));
    const int fd = open_stream(server.port(), "/", 1 << 16);
    std::string got;
    char buffer[1024];
    while (got.find("hello") == std::string::npos) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << got;
    EXPECT_NE(got.find("Content-Type: text/event-stream\r\n"), std::string::npos) << got;
    EXPECT_TRUE(got.ends_with("\r\n\r\ndata: hello\n\n")) << got;
    ::close(fd);
}

}  // namespace
}  // namespace regpoll::web
