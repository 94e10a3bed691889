#pragma once
// Bus addresses as URIs (DESIGN.md): tcp://host[:502], rtu:///dev/ttyUSB0?baud=9600,
// ascii:///dev/..., rtu+tcp://host:port, ascii+tcp://..., tcp+listen://0.0.0.0:port,
// rtu+listen://..., shine+listen://0.0.0.0:5279. Parsing only; links decide which query keys they accept.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace regpoll::transport {

struct Uri {
    std::string scheme;  // lower case, e.g. "tcp", "rtu+tcp"
    std::string host;    // network schemes
    std::uint16_t port = 0;
    std::string path;    // serial schemes: the device path
    std::map<std::string, std::string> query;

    bool is_serial() const { return scheme == "rtu" || scheme == "ascii"; }
    bool is_listen() const { return scheme.ends_with("+listen"); }
    std::string to_string() const;
    // A query value, if present.
    std::optional<std::string> param(const std::string& key) const;
};

// Error strings name the URI and what was wrong: `"tcp://" has no host`.
Expected<Uri, std::string> parse_uri(std::string_view text);

}  // namespace regpoll::transport
