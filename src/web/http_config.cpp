#include "web/http_config.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include <boost/asio/ip/address.hpp>

#include "profile/json_reader.hpp"

namespace regpoll::web {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::shown;

bool is_loopback(const std::string& host) {
    if (host == "localhost") return true;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

void parse_auth(JsonReader& r, HttpConfig& c) {
    const Json* auth = r.get("auth");
    if (!auth) return;
    JsonReader ar(*auth, r.file(), r.child_path("auth"), r.diag());
    if (!ar.is_object()) {
        return r.error("auth", "expected {\"user\": …, \"password_file\": …}, found " + shown(*auth));
    }
    if (ar.has("password")) {
        ar.error("password", "put the password in a file (\"password_file\"), not in the configuration");
    }
    HttpAuth a;
    a.user = ar.string("user").value_or("");
    if (a.user.empty() || a.user.find(':') != std::string::npos) {
        ar.error_here("\"user\" must be a non-empty name without ':'");
    }
    if (auto f = ar.string("password_file")) {
        const auto errors_before = ar.diag().errors().size();
        a.password = read_secret_file(*f, ar, "password_file");
        if (a.password.empty() && ar.diag().errors().size() == errors_before) {
            ar.error("password_file", "\"" + *f + "\" is empty");
        }
    } else {
        ar.error_here("\"auth\" needs \"password_file\"");
    }
    ar.get("password");  // reported above
    ar.reject_unknown("user, password_file");
    c.auth = std::move(a);
}

// Both files must be readable now: a typo is a configuration error, not a failed start.
void parse_tls(JsonReader& r, HttpConfig& c) {
    const Json* tls = r.get("tls");
    if (!tls) return;
    JsonReader tr(*tls, r.file(), r.child_path("tls"), r.diag());
    if (!tr.is_object()) return;  // said by the reader
    HttpTls t;
    for (auto [key, file] : {std::pair{"cert_file", &t.cert_file}, std::pair{"key_file", &t.key_file}}) {
        if (auto f = tr.string(key)) {
            *file = *f;
            if (std::ifstream in(*f); !in) {
                tr.error(key, "cannot read \"" + *f + "\" (" + std::strerror(errno) + ")");
            }
        } else {
            tr.error_here(std::string("\"tls\" needs \"") + key + "\" (a PEM file)");
        }
    }
    tr.reject_unknown("cert_file, key_file");
    c.tls = std::move(t);
}

}  // namespace

std::string set_listen(HttpConfig& c, const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) {
        return "\"" + listen + "\" is not an address and port (expected e.g. \"127.0.0.1:8080\")";
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto* first = listen.data() + colon + 1;
    const auto* last = listen.data() + listen.size();
    const auto [end, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || end != last || port > 65535) {
        return "\"" + listen + "\": \"" + std::string(first, last) + "\" is not a port (0 to 65535)";
    }
    boost::system::error_code bad;
    if (host != "localhost") boost::asio::ip::make_address(host, bad);
    if (host.empty() || bad) {
        return "\"" + listen + "\": \"" + host + "\" is not an IP address (expected e.g. 127.0.0.1, 0.0.0.0, [::1])";
    }
    c.listen = listen;
    c.host = host == "localhost" ? "127.0.0.1" : host;
    c.port = static_cast<std::uint16_t>(port);
    return "";
}

std::string describe(const HttpConfig& c) {
    return std::string(c.tls ? "https " : "http ") + c.listen + ": " +
           (c.auth ? "basic auth (user " + c.auth->user + ")"
                   : c.open_to_all ? std::string("public, no auth") : std::string("loopback only")) +
           "; metrics " + (c.metric_values ? "with" : "without") + " values";
}

std::string check_exposure(const HttpConfig& c) {
    if (is_loopback(c.host) || c.auth || c.open_to_all) return "";
    return "listening on " + c.listen +
           " (not loopback) needs \"auth\": {\"user\": …, \"password_file\": …} or \"public\": true";
}

std::optional<HttpConfig> parse_http_config(const profile::SiteConfig& config, profile::Diagnostics& diag) {
    const Json& section = config.http;
    if (section.is_null()) return std::nullopt;
    JsonReader r(section, config.file, "/http", diag);
    if (!r.is_object()) {
        diag.error(config.file, "/http",
                   "expected an object such as {\"listen\": \"127.0.0.1:8080\"}, found " + shown(section));
        return std::nullopt;
    }
    const auto errors_before = diag.errors().size();
    HttpConfig c;
    if (auto listen = r.string("listen")) {
        if (auto why = set_listen(c, *listen); !why.empty()) r.error("listen", why);
    }
    parse_auth(r, c);
    parse_tls(r, c);
    if (auto open = r.boolean("public")) c.open_to_all = *open;
    if (const Json* metrics = r.get("metrics")) {
        JsonReader mr(*metrics, config.file, "/http/metrics", diag);
        if (!mr.is_object()) {
            r.error("metrics", "expected {\"values\": true or false}, found " + shown(*metrics));
        } else {
            if (auto values = mr.boolean("values")) c.metric_values = *values;
            mr.reject_unknown("values");
        }
    }
    r.reject_unknown("listen, auth, public, metrics, tls");
    if (diag.errors().size() != errors_before) return std::nullopt;
    if (auto why = check_exposure(c); !why.empty()) {
        r.error("listen", why);
        return std::nullopt;
    }
    return c;
}

}  // namespace regpoll::web
