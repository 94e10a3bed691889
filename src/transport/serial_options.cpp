#include "transport/serial_options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include <boost/asio/ip/address.hpp>

#include "common/duration.hpp"

namespace regpoll::transport {
namespace {

// The rates Linux termios can set (B50 … B4000000); others fail at open, so refuse
// them here, where the error can name the key.
constexpr std::array<unsigned, 30> standard_bauds{
    50,     75,     110,     134,     150,     200,     300,     600,     1200,    1800,
    2400,   4800,   9600,    19200,   38400,   57600,   115200,  230400,  460800,  500000,
    576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Which keys a scheme accepts.
std::set<std::string> keys_for(const std::string& scheme) {
    if (scheme == "rtu" || scheme == "ascii") {
        return {"baud", "parity", "data", "stop", "echo", "turnaround", "pause", "timeout", "gap"};
    }
    if (scheme == "rtu+tcp" || scheme == "ascii+tcp") {
        return {"echo", "turnaround", "pause", "timeout", "gap"};
    }
    if (scheme == "rtu+listen") {
        return {"echo", "turnaround", "pause", "timeout", "gap", "allow", "wait"};
    }
    if (scheme == "tcp+listen") return {"pause", "timeout", "allow", "wait"};
    return {};
}

std::string key_list(const std::set<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out.empty() ? "none" : out;
}

class QueryReader {
public:
    explicit QueryReader(const Uri& uri) : uri_(uri), prefix_(uri.to_string() + ": ") {}

    std::optional<std::string> error() const { return error_; }

    void fail(const std::string& message) {
        if (!error_) error_ = prefix_ + message;
    }

    std::optional<unsigned> number(const std::string& key) {
        const auto value = uri_.param(key);
        if (!value) return std::nullopt;
        unsigned n = 0;
        const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
        if (ec != std::errc{} || end != value->data() + value->size() || value->empty()) {
            fail(key + " " + quoted(*value) + " is not a number");
            return std::nullopt;
        }
        return n;
    }

    std::optional<std::chrono::milliseconds> duration(const std::string& key) {
        const auto value = uri_.param(key);
        if (!value) return std::nullopt;
        auto d = parse_duration(*value);
        if (!d) {
            fail(key + ": " + d.error());
            return std::nullopt;
        }
        return *d;
    }

    std::optional<bool> flag(const std::string& key) {
        const auto value = uri_.param(key);
        if (!value) return std::nullopt;
        if (*value == "1" || *value == "true" || *value == "yes") return true;
        if (*value == "0" || *value == "false" || *value == "no") return false;
        fail(key + " " + quoted(*value) + " is not 0 or 1");
        return std::nullopt;
    }

private:
    const Uri& uri_;
    std::string prefix_;
    std::optional<std::string> error_;
};

void read_line_format(const Uri& uri, QueryReader& q, LineFormat& line) {
    line.data_bits = uri.scheme == "ascii" ? 7 : 8;
    if (auto baud = q.number("baud")) {
        if (std::find(standard_bauds.begin(), standard_bauds.end(), *baud) == standard_bauds.end()) {
            q.fail("baud " + quoted(*uri.param("baud")) +
                   " is not a standard rate (e.g. 1200, 2400, 4800, 9600, 19200, 38400, 57600, "
                   "115200)");
        } else {
            line.baud = *baud;
        }
    }
    if (auto parity = uri.param("parity")) {
        if (*parity == "N" || *parity == "n") line.parity = Parity::none;
        else if (*parity == "E" || *parity == "e") line.parity = Parity::even;
        else if (*parity == "O" || *parity == "o") line.parity = Parity::odd;
        else q.fail("parity " + quoted(*parity) + " is not N, E or O");
    }
    if (auto data = q.number("data")) {
        if (*data != 7 && *data != 8) {
            q.fail("data " + quoted(*uri.param("data")) + " is not 7 or 8");
        } else if (*data == 7 && uri.scheme == "rtu") {
            q.fail("data \"7\": RTU frames need 8 data bits (7 is for ASCII)");
        } else {
            line.data_bits = *data;
        }
    }
    // The specification keeps characters at 11 bits: no parity means two stop bits.
    line.stop_bits = line.parity == Parity::none ? 2 : 1;
    if (auto stop = q.number("stop")) {
        if (*stop != 1 && *stop != 2) q.fail("stop " + quoted(*uri.param("stop")) + " is not 1 or 2");
        else line.stop_bits = *stop;
    }
}

void read_allow_list(const Uri& uri, QueryReader& q, std::vector<std::string>& allow) {
    const auto value = uri.param("allow");
    if (!value) return;
    std::string_view rest = *value;
    while (true) {
        const auto comma = rest.find(',');
        const std::string item(rest.substr(0, comma));
        boost::system::error_code ec;
        boost::asio::ip::make_address(item, ec);
        if (ec) {
            q.fail("allow: " + quoted(item) + " is not an IP address");
            return;
        }
        allow.push_back(item);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
}

}  // namespace

Expected<BusOptions, std::string> parse_bus_options(const Uri& uri) {
    const auto keys = keys_for(uri.scheme);
    for (const auto& [key, value] : uri.query) {
        if (!keys.count(key)) {
            return Unexpected{uri.to_string() + ": unknown key " + quoted(key) + " for " +
                              uri.scheme + ":// (known: " + key_list(keys) + ")"};
        }
    }
    BusOptions options;
    QueryReader q(uri);
    if (uri.is_serial()) read_line_format(uri, q, options.line);
    if (auto echo = q.flag("echo")) options.echo = *echo;
    if (auto t = q.duration("turnaround")) options.turnaround = *t;
    if (auto p = q.duration("pause")) options.pause = *p;
    if (auto t = q.duration("timeout")) {
        if (t->count() == 0) q.fail("timeout must be longer than 0 ms");
        options.timeout = *t;
    }
    if (auto g = q.duration("gap")) options.gap = *g;
    if (auto w = q.duration("wait")) options.wait = *w;
    read_allow_list(uri, q, options.allow);
    if (auto error = q.error()) return Unexpected{*error};
    return options;
}

}  // namespace regpoll::transport
