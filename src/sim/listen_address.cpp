#include "sim/listen_address.hpp"

#include <charconv>
#include <optional>

namespace regpoll::sim {
namespace {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::optional<unsigned> to_unsigned(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

const char* scheme_of(const ListenAddress& a) {
    switch (a.framing) {
        case modbus::Framing::rtu:
            return a.serial ? "rtu" : "rtu+tcp";
        case modbus::Framing::ascii:
            return a.serial ? "ascii" : "ascii+tcp";
        default:
            return "tcp";
    }
}

Expected<ListenAddress, std::string> parse_serial(std::string_view uri, std::string_view rest,
                                                  ListenAddress a) {
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (rest.empty() || rest.front() != '/') {
        return Unexpected{quoted(uri) + " has no device path (expected e.g. " + scheme_of(a) +
                          ":///dev/ttyUSB0)"};
    }
    a.device = std::string(rest);
    bool stop_given = false;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        const auto number = to_unsigned(value);
        if (key == "baud" && number && *number > 0) {
            a.baud = *number;
        } else if (key == "data" && number && (*number == 7 || *number == 8)) {
            a.data_bits = *number;
        } else if (key == "stop" && number && (*number == 1 || *number == 2)) {
            a.stop_bits = *number;
            stop_given = true;
        } else if (key == "parity" && value.size() == 1 &&
                   std::string_view("NEO").find(value[0]) != std::string_view::npos) {
            a.parity = value[0];
        } else {
            return Unexpected{quoted(uri) + ": query item " + quoted(item) +
                              " is not one of baud=N, parity=N|E|O, data=7|8, stop=1|2"};
        }
    }
    if (!stop_given) a.stop_bits = a.parity == 'N' ? 2 : 1;
    return a;
}

}  // namespace

std::string ListenAddress::to_string() const {
    std::string out = std::string(scheme_of(*this)) + "://";
    if (serial) return out + device;
    return out + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

Expected<ListenAddress, std::string> parse_listen_address(std::string_view uri) {
    const auto sep = uri.find("://");
    if (sep == std::string_view::npos) {
        return Unexpected{quoted(uri) + " is not a URI (expected e.g. tcp://127.0.0.1:5020)"};
    }
    const std::string_view scheme = uri.substr(0, sep);
    const std::string_view rest = uri.substr(sep + 3);
    ListenAddress a;
    if (scheme == "rtu" || scheme == "ascii") {
        a.serial = true;
        a.framing = scheme == "rtu" ? modbus::Framing::rtu : modbus::Framing::ascii;
        if (scheme == "ascii") a.data_bits = 7;
        return parse_serial(uri, rest, a);
    }
    if (scheme == "rtu+tcp") {
        a.framing = modbus::Framing::rtu;
    } else if (scheme == "ascii+tcp") {
        a.framing = modbus::Framing::ascii;
    } else if (scheme != "tcp") {
        return Unexpected{quoted(uri) + ": unknown scheme " + quoted(scheme) +
                          " (expected tcp, rtu+tcp, ascii+tcp, rtu or ascii)"};
    }
    if (rest.find('?') != std::string_view::npos)
        return Unexpected{quoted(uri) + ": a network listener takes no query"};
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return Unexpected{quoted(uri) + ": unclosed '['"};
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') return Unexpected{quoted(uri) + ": junk after ']'"};
            port = rest.substr(close + 2);
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (!host.empty() && host.back() == '/') host.remove_suffix(1);
    if (host.empty())
        return Unexpected{quoted(uri) +
                          " has no host (e.g. 127.0.0.1, or 0.0.0.0 for every interface)"};
    a.host = std::string(host);
    if (port.empty()) {
        if (a.framing != modbus::Framing::mbap) {
            return Unexpected{quoted(uri) + " needs a port (there is no standard port for " +
                              std::string(scheme) + ")"};
        }
        return a;
    }
    const auto number = to_unsigned(port);
    if (!number || *number > 65535)
        return Unexpected{quoted(uri) + ": port " + quoted(port) + " is not 0-65535"};
    a.port = static_cast<std::uint16_t>(*number);
    return a;
}

}  // namespace regpoll::sim
