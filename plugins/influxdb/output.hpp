// Where the InfluxDB plugin's lines go: a file (appended), UDP datagrams, or a TCP stream
// that reconnects (InfluxDB 1.x's UDP service, Telegraf's socket_listener, or any tool that
// reads line protocol).
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace influxdb {

class Output {
  public:
    virtual ~Output() = default;
    // Sends complete lines from the front of `buffer` and erases what went out. False with
    // `error` when not all of it could be sent; what is left stays in `buffer` for the next
    // try (UDP never keeps anything: a lost datagram is lost).
    virtual bool send(std::string& buffer, std::string& error) = 0;
    virtual std::string describe() const = 0;
};

// "udp://host:port", "tcp://host:port", or a file path (relative to `config_dir`). Null with
// `error` for a malformed target, a host that does not resolve, or a file that cannot be
// opened for appending. A TCP target that does not answer yet is not an error: it is
// connected on the first send and reconnected after a failure (1 s, 2 s, 4 s … 30 s apart).
std::unique_ptr<Output> open_output(const std::string& target, const std::string& config_dir,
                                    std::string& error);

}  // namespace influxdb
