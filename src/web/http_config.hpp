#pragma once
// The "http" section of a site configuration: the web server of `regpoll run` (API,
// /healthz, /metrics).
//   "http": { "listen": "127.0.0.1:8080",
//             "auth": { "user": "admin", "password_file": "/etc/regpoll/http.password" },
//             "public": false, "metrics": { "values": true },
//             "tls": { "cert_file": "/etc/regpoll/cert.pem", "key_file": "/etc/regpoll/key.pem" } }
// Loopback by default; any other address needs "auth" or an explicit "public": true.
#include <cstdint>
#include <optional>
#include <string>

#include "profile/diagnostics.hpp"
#include "profile/site_config.hpp"

namespace regpoll::web {

struct HttpAuth {
    std::string user;
    std::string password;  // read from password_file at load; never logged
};

struct HttpTls {
    std::string cert_file;  // PEM, the server's certificate first, then its chain
    std::string key_file;   // PEM, unencrypted
};

struct HttpConfig {
    std::string listen = "127.0.0.1:8080";  // as written, for messages
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0: the system picks one (logged)
    std::optional<HttpAuth> auth;
    bool open_to_all = false;  // "public": true
    bool metric_values = true;  // "metrics": {"values": …}
    std::optional<HttpTls> tls;  // "tls": HTTPS with these files
};

// Checks the section (`config.http`, null when absent); mistakes go to `diag` with the file
// and JSON path. nullopt when there is no section or it has errors.
std::optional<HttpConfig> parse_http_config(const profile::SiteConfig& config,
                                            profile::Diagnostics& diag);

// Sets `listen` ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"; port 0 picks a free one).
// Returns "" or what is wrong with it.
std::string set_listen(HttpConfig& config, const std::string& listen);

// "http 127.0.0.1:8080: loopback only; metrics with values", for `validate`.
std::string describe(const HttpConfig& config);

// "" when the address may be served as configured; else why not: an address other than
// loopback needs "auth" or "public": true.
std::string check_exposure(const HttpConfig& config);

}  // namespace regpoll::web
