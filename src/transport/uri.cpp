#include "transport/uri.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace regpoll::transport {
namespace {

struct SchemeInfo {
    std::string_view name;
    bool serial;
    std::uint16_t default_port;
};

constexpr std::array<SchemeInfo, 8> schemes{{
    {"tcp", false, 502},
    {"rtu", true, 0},
    {"ascii", true, 0},
    {"rtu+tcp", false, 0},
    {"ascii+tcp", false, 0},
    {"tcp+listen", false, 502},
    {"rtu+listen", false, 0},
    {"shine+listen", false, 5279},  // Growatt Shine dataloggers; the port of server.growatt.com
}};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

std::string Uri::to_string() const {
    std::string out = scheme + "://";
    if (is_serial()) {
        out += path;
    } else {
        out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
        out += ":" + std::to_string(port);
    }
    char sep = '?';
    for (const auto& [k, v] : query) {
        out += sep + k + "=" + v;
        sep = '&';
    }
    return out;
}

std::optional<std::string> Uri::param(const std::string& key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return it->second;
}

Expected<Uri, std::string> parse_uri(std::string_view text) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) {
        return Unexpected{quoted(text) + " is not a URI (expected e.g. tcp://192.168.1.10:502)"};
    }
    Uri uri;
    uri.scheme = std::string(text.substr(0, sep));
    std::transform(uri.scheme.begin(), uri.scheme.end(), uri.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto info = std::find_if(schemes.begin(), schemes.end(),
                                   [&](const SchemeInfo& s) { return s.name == uri.scheme; });
    if (info == schemes.end()) {
        return Unexpected{quoted(text) + ": unknown scheme " + quoted(uri.scheme) +
                          " (expected tcp, rtu, ascii, rtu+tcp, ascii+tcp, tcp+listen or "
                          "rtu+listen)"};
    }
    std::string_view rest = text.substr(sep + 3);
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        std::string_view query = rest.substr(q + 1);
        rest = rest.substr(0, q);
        while (!query.empty()) {
            const auto amp = query.find('&');
            std::string_view item = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
            if (item.empty()) continue;
            const auto eq = item.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                return Unexpected{quoted(text) + ": query item " + quoted(item) +
                                  " is not key=value"};
            }
            uri.query[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
        }
    }
    if (info->serial) {
        if (rest.empty() || rest.front() != '/') {
            return Unexpected{quoted(text) + " has no device path (expected e.g. " +
                              uri.scheme + ":///dev/ttyUSB0)"};
        }
        uri.path = std::string(rest);
        return uri;
    }
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return Unexpected{quoted(text) + ": unclosed '['"};
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') return Unexpected{quoted(text) + ": junk after ']'"};
            port = rest.substr(close + 2);
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (!host.empty() && host.back() == '/') host.remove_suffix(1);
    if (host.empty()) return Unexpected{quoted(text) + " has no host"};
    uri.host = std::string(host);
    if (port.empty()) {
        if (info->default_port == 0) {
            return Unexpected{quoted(text) + " needs a port (there is no standard port for " +
                              uri.scheme + ")"};
        }
        uri.port = info->default_port;
    } else {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value > 65535 ||
            (value == 0 && !uri.is_listen())) {
            return Unexpected{quoted(text) + ": port " + quoted(port) +
                              " is not a number from 1 to 65535"};
        }
        uri.port = static_cast<std::uint16_t>(value);
    }
    return uri;
}

}  // namespace regpoll::transport
