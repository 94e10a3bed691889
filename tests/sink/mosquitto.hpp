#pragma once
// A real mosquitto broker for tests: its own config and persistence folder, a free
// loopback port, started and stopped by the test (stop + start again on the same port to
// simulate an outage).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <thread>

#include "peer_process.hpp"

namespace regpoll::testing {

inline std::uint16_t free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline bool port_open(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

class Mosquitto {
public:
    // `extra` is appended to the broker's configuration (a bridge, say).
    explicit Mosquitto(const std::string& name, const std::string& extra = "") : port_(free_loopback_port()) {
        dir_ = std::filesystem::temp_directory_path() / ("regpoll-mosquitto-" + std::to_string(::getpid()) + "-" + name);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "mosquitto.conf") << "listener " << port_ << " 127.0.0.1\n"
                                               << "allow_anonymous true\n"
                                               << "persistence true\n"
                                               << "persistence_location " << dir_.string() << "/\n"
                                               << "max_queued_messages 0\n"
                                               << "user root\n"
                                               << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n"
                                               << extra;
        start();
    }
    ~Mosquitto() {
        process_.reset();
        std::filesystem::remove_all(dir_);
    }
    void start() {
        process_.emplace(std::vector<std::string>{"/bin/sh", "-c",
                                                  "echo READY; exec mosquitto -c " + (dir_ / "mosquitto.conf").string()},
                         "READY", std::chrono::seconds(10));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!port_open(port_)) {
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("mosquitto did not start");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    void stop() { process_.reset(); }
    std::uint16_t port() const { return port_; }
    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    std::string log() const {
        std::ifstream in(dir_ / "mosquitto.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    std::uint16_t port_;
    std::filesystem::path dir_;
    std::optional<PeerProcess> process_;
};

}  // namespace regpoll::testing
