#include "web/http_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace regpoll::web {
namespace {

struct Parsed {
    std::optional<HttpConfig> config;
    std::string errors;
};

Parsed parse(const char* http) {
    profile::SiteConfig site;
    site.file = "site.json";
    site.http = profile::Json::parse(http);
    profile::Diagnostics diag;
    Parsed p;
    p.config = parse_http_config(site, diag);
    for (const auto& e : diag.errors()) p.errors += e + "\n";
    return p;
}

TEST(HttpConfig, LoopbackNeedsNothing) {
    auto p = parse(R"({"listen": "127.0.0.1:8080"})");
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->host, "127.0.0.1");
    EXPECT_EQ(p.config->port, 8080);
    EXPECT_TRUE(p.config->metric_values);
    for (const char* listen : {"[::1]:0", "localhost:9000", "127.0.0.2:1"}) {
        HttpConfig c;
        EXPECT_EQ(set_listen(c, listen), "") << listen;
        EXPECT_EQ(check_exposure(c), "") << listen;
    }
}

TEST(HttpConfig, AnyOtherAddressNeedsAuthOrPublic) {
    auto refused = parse(R"({"listen": "0.0.0.0:8080"})");
    EXPECT_FALSE(refused.config);
    EXPECT_NE(refused.errors.find("site.json: /http/listen: listening on 0.0.0.0:8080 (not loopback) needs \"auth\""),
              std::string::npos)
        << refused.errors;
    auto open = parse(R"({"listen": "[::]:8080", "public": true, "metrics": {"values": false}})");
    ASSERT_TRUE(open.config) << open.errors;
    EXPECT_EQ(open.config->host, "::");
    EXPECT_FALSE(open.config->metric_values);

    char path[] = "/tmp/regpoll-http-password-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << "pw\n";
    auto with_auth = parse(
        (R"({"listen": "192.168.1.5:80", "auth": {"user": "admin", "password_file": ")" + std::string(path) + R"("}})")
            .c_str());
    std::remove(path);
    ASSERT_TRUE(with_auth.config) << with_auth.errors;
    EXPECT_EQ(with_auth.config->auth->user, "admin");
    EXPECT_EQ(with_auth.config->auth->password, "pw");
}

TEST(HttpConfig, MistakesNameTheirPlace) {
    auto p = parse(R"({"listen": "8080", "auth": {"user": "a", "password": "x"}, "metrics": {"value": false}, "tls": 1, "ssl": {}})");
    EXPECT_FALSE(p.config);
    EXPECT_NE(p.errors.find("/http/listen: \"8080\" is not an address and port"), std::string::npos) << p.errors;
    EXPECT_NE(p.errors.find("/http/auth/password: put the password in a file"), std::string::npos) << p.errors;
    EXPECT_NE(p.errors.find("/http/auth: \"auth\" needs \"password_file\""), std::string::npos) << p.errors;
    EXPECT_NE(p.errors.find("/http/metrics/value: unknown key"), std::string::npos) << p.errors;
    EXPECT_NE(p.errors.find("/http/tls: expected an object, found a number"), std::string::npos) << p.errors;
    EXPECT_NE(p.errors.find("/http/ssl: unknown key \"ssl\" (expected listen, auth, public, metrics, tls)"),
              std::string::npos) << p.errors;
    auto tls = parse(R"({"tls": {"cert_file": "/nonexistent/cert.pem", "key": "k.pem"}})");
    EXPECT_FALSE(tls.config);
    EXPECT_NE(tls.errors.find("/http/tls/cert_file: cannot read \"/nonexistent/cert.pem\" (No such file or directory)"),
              std::string::npos) << tls.errors;
    EXPECT_NE(tls.errors.find("/http/tls: \"tls\" needs \"key_file\" (a PEM file)"), std::string::npos) << tls.errors;
    EXPECT_NE(tls.errors.find("/http/tls/key: unknown key"), std::string::npos) << tls.errors;
    HttpConfig c;
    EXPECT_NE(set_listen(c, "example.org:80"), "");
    EXPECT_NE(set_listen(c, "127.0.0.1:70000"), "");
}

}  // namespace
}  // namespace regpoll::web
