// The web server of `regpoll run` end to end: a real `regpoll run` polls a device simulated
// by `regpoll simulate`, keeps a real SQLite history, and serves the API, /healthz and
// /metrics; curl asks, and Debian's promtool checks the metrics. Bad requests get 4xx and
// polling goes on.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "regpoll_cli.hpp"
#include "socat.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Json = nlohmann::json;

struct Answer {
    int status = 0;
    std::string body;
};

// curl's answer: the body, then the status on a line of its own.
Answer curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"curl", "-s", "-S", "--max-time", "20", "-w", "\n%{http_code}"});
    const auto r = run_command(args, 30s);
    Answer a;
    const auto nl = r.out.rfind('\n');
    if (nl == std::string::npos) return a;
    a.body = r.out.substr(0, nl);
    a.status = std::atoi(r.out.c_str() + nl + 1);
    return a;
}

std::string iso(std::int64_t ms) {
    const std::time_t seconds = ms / 1000;
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return text;
}

// Sends `request` to the server at `base` ("http://127.0.0.1:PORT") over a plain socket
// and returns all it answers until it closes. Sending may fail part way once the server has
// answered and closed; the answer is what counts.
std::string raw_exchange(const std::string& base, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(base.substr(base.rfind(':') + 1))));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval limit{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    std::string answer;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        for (std::size_t sent = 0; sent < request.size();) {
            const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        char buffer[4096];
        for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

class WebRun : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/regpoll-web-XXXXXX";
        dir_ = ::mkdtemp(pattern);
    }
    void TearDown() override {
        if (HasFailure()) {
            for (auto* p : {&poller_, &device_}) {
                if (*p) std::cerr << (*p)->stderr_log() << "\n";
            }
        }
        poller_.reset();
        device_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // An SDM120 simulated with frozen values, and `regpoll run` polling it every 500 ms with
    // a history and the web server on a free loopback port (`http` fields, `extra` flags).
    void start(const std::string& http = R"("listen": "127.0.0.1:0")",
               std::vector<std::string> extra = {}, bool frozen = true) {
        std::vector<std::string> simulate{REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120",
                                          "--listen", "tcp://127.0.0.1:0"};
        if (frozen) simulate.push_back("--freeze");
        device_.emplace(simulate, "READY ", 20s, dir_ + "/device.log");
        config_ = dir_ + "/site.json";
        std::ofstream(config_) << R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                      device_->ready_value() + R"(", "timeout": "1s" } ],
          "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm120", "interval": "500ms" } ],
          "history": { "path": ")" + dir_ + R"(/history.db", "flush_interval": "100ms" },
          "http": { )" + http + " } }";
        std::vector<std::string> argv{REGPOLL_BINARY, "run", "-c", config_, "--output", "jsonl"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        poller_.emplace(argv, "{\"ts\":", 20s, dir_ + "/poller.log");
        static const std::regex listening("; listening on [0-9.]+:([0-9]+)");
        std::smatch m;
        std::string log;
        ASSERT_TRUE(wait_for([&] {
            log = poller_->stderr_log();
            return std::regex_search(log, m, listening);
        })) << log;
        base_ = "http://127.0.0.1:" + m[1].str();
    }

    // The values the poller printed so far, by point (reading also keeps its stdout pipe
    // from filling up).
    std::map<std::string, Json> published() {
        std::istringstream lines(poller_->read_available_stdout());
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty() || line[0] != '{') continue;
            auto j = Json::parse(line);
            published_[j["point"].get<std::string>()] = j["value"];
        }
        return published_;
    }

    Answer get(const std::string& path, std::vector<std::string> args = {}) {
        args.push_back(base_ + path);
        return curl(args);
    }

    Json json(const std::string& path) {
        const auto a = get(path);
        EXPECT_EQ(a.status, 200) << path << ": " << a.body;
        return Json::parse(a.body, nullptr, false);
    }

    std::uint64_t requests() {
        const auto d = json("/api/v1/devices");
        return d.is_discarded() ? 0 : d["devices"][0]["requests"].get<std::uint64_t>();
    }

    std::string dir_;
    std::string config_;
    std::string base_;
    std::map<std::string, Json> published_;
    std::optional<PeerProcess> device_;
    std::optional<PeerProcess> poller_;
};

TEST_F(WebRun, DevicesHealthAndValuesAreWhatThePollerPublished) {
    start();
    std::this_thread::sleep_for(1500ms);
    const auto values = published();
    ASSERT_GE(values.size(), 12U);  // the ready line took the first sample

    const auto list = json("/api/v1/devices");
    ASSERT_EQ(list["devices"].size(), 1U) << list.dump();
    EXPECT_EQ(list["devices"][0]["name"], "meter");
    EXPECT_EQ(list["devices"][0]["online"], true);
    EXPECT_GT(list["devices"][0]["requests"].get<int>(), 0);

    const auto meter = json("/api/v1/devices/meter");
    ASSERT_EQ(meter["points"].size(), 14U) << meter.dump();
    for (const auto& p : meter["points"]) {
        const auto name = p["name"].get<std::string>();
        if (values.count(name)) {
            EXPECT_EQ(p["value"], values.at(name)) << name;
        }
        EXPECT_EQ(p["quality"], "good") << name;
        if (name == "voltage") {
            EXPECT_EQ(p["unit"], "V");
        }
        if (name == "import_energy") {
            EXPECT_EQ(p["unit"], "kWh");
        }
    }
    EXPECT_GT(meter["last_answer_ms"].get<std::int64_t>(), 0);

    const auto health = get("/healthz");
    EXPECT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(health.body.rfind("healthy: regpoll (pid ", 0), 0U) << health.body;
}

// /api/v1/plan holds the requests `regpoll validate` prints for the same configuration.
TEST_F(WebRun, PlanIsTheOneValidatePrints) {
    start();
    const auto plan = json("/api/v1/plan");
    ASSERT_EQ(plan["buses"].size(), 1U);
    const auto& bus = plan["buses"][0];
    EXPECT_EQ(bus["name"], "lab");
    EXPECT_EQ(bus["line_share"], nullptr);  // TCP: no wire time to plan
    const auto validate = regpoll({"validate", "-c", config_});
    ASSERT_EQ(validate.exit_code, 0) << validate.err;
    std::string printed;  // validate's request lines: "    input 0+30: voltage current …"
    std::istringstream lines(validate.out + validate.err);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("    ")) printed += line.substr(4) + "\n";
    }
    std::string served;
    std::set<std::string> points;
    for (const auto& r : bus["devices"][0]["requests"]) {
        std::string names;
        for (const auto& p : r["points"]) {
            names += (names.empty() ? "" : " ") + p.get<std::string>();
            points.insert(p.get<std::string>());
        }
        served += r["kind"].get<std::string>() + " " + std::to_string(r["address"].get<int>()) + "+" +
                  std::to_string(r["count"].get<int>()) + ": " + names + "\n";
    }
    EXPECT_FALSE(printed.empty()) << validate.out;
    EXPECT_EQ(served, printed);
    EXPECT_EQ(bus["requests_per_cycle"], bus["devices"][0]["requests"].size());
    EXPECT_EQ(points.size(), 14U) << "every SDM120 point is read";
}

TEST_F(WebRun, BadRequestsGet4xxAndPollingGoesOn) {
    start();
    const auto before = requests();
    EXPECT_EQ(get("/api/v1/devices/nope").status, 404);
    EXPECT_EQ(get("/api/v1/history?device=nope&point=voltage").status, 404);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=nope").status, 404);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=voltage&since=yesterday-ish").status, 400);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=voltage&since=now&until=1h").status, 400);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=voltage&step=0s").status, 400);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=voltage&step=1000d").status, 400);
    EXPECT_EQ(get("/api/v1/history?device=meter&point=voltage&step=%zz").status, 400);
    EXPECT_EQ(get("/../../etc/passwd", {"--path-as-is"}).status, 400);
    EXPECT_EQ(get("/api/v1/devices/..%2f..%2fetc", {"--path-as-is"}).status, 400);
    EXPECT_EQ(get("/%2e%2e/etc/passwd", {"--path-as-is"}).status, 400);
    EXPECT_EQ(get("/index.html").status, 404);
    EXPECT_EQ(get("/api/v1/devices", {"-X", "POST", "-d", "x=1"}).status, 405);
    // A 1 MB header gets 431 and the answer arrives whole (curl refuses to send such a
    // header itself, hence a plain socket).
    const auto big = raw_exchange(base_, "GET /api/v1/devices HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                             std::string(1 << 20, 'a') + "\r\n\r\n");
    EXPECT_EQ(big.rfind("HTTP/1.1 431 ", 0), 0U) << big.substr(0, 200);
    EXPECT_NE(big.find("request header fields too large"), std::string::npos) << big.substr(0, 300);
    // The poller did not notice: it polled on all the while.
    std::this_thread::sleep_for(1200ms);
    EXPECT_GT(requests(), before + 2);
    EXPECT_TRUE(poller_->running());
}

TEST_F(WebRun, HistoryAnswersWhatRegpollHistoryPrints) {
    start();
    std::this_thread::sleep_for(2500ms);  // a few cycles, flushed to the file
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto since = now - 60'000;
    const auto until = now - 500;
    const auto h = json("/api/v1/history?device=meter&point=voltage&since=" + std::to_string(since) +
                        "&until=" + iso(until));
    ASSERT_FALSE(h.is_discarded());
    EXPECT_EQ(h["unit"], "V");
    EXPECT_EQ(h["step"], nullptr);  // few rows: as stored
    const auto cli = regpoll({"history", "--db", dir_ + "/history.db", "--device", "meter", "--point", "voltage",
                              "--since", iso(since), "--until", iso(until), "--format", "json"});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    std::vector<Json> rows;
    std::istringstream lines(cli.out);
    for (std::string line; std::getline(lines, line);) rows.push_back(Json::parse(line));
    ASSERT_GE(rows.size(), 2U);
    ASSERT_EQ(h["points"].size(), rows.size()) << h.dump();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(h["points"][i]["ts"], rows[i]["ts"]);
        EXPECT_EQ(h["points"][i]["value"], rows[i]["value"]);
    }
    // With a step: buckets of it, each with mean, min and max.
    const auto b = json("/api/v1/history?device=meter&point=voltage&since=1m&step=1m");
    ASSERT_EQ(b["points"].size(), 1U) << b.dump();
    EXPECT_EQ(b["step"], 60000);
    EXPECT_EQ(b["points"][0]["min"], rows[0]["value"]);  // frozen values
    EXPECT_EQ(b["points"][0]["max"], rows[0]["value"]);
    // A month asked for at 1s comes back in at most 2,000 buckets.
    const auto month = json("/api/v1/history?device=meter&point=voltage&since=30d&step=1s");
    EXPECT_EQ(month["step"], 30LL * 86'400'000 / 2000);
    EXPECT_LE(month["points"].size(), 2000U);
}

TEST_F(WebRun, MetricsPassPromtoolAndCarryValuesAndCounters) {
    start();
    std::this_thread::sleep_for(1500ms);
    const auto values = published();
    const auto m = get("/metrics");
    ASSERT_EQ(m.status, 200);
    std::ofstream(dir_ + "/metrics.txt") << m.body;
    const auto check = run_command({"/bin/sh", "-c", "promtool check metrics < " + dir_ + "/metrics.txt"}, 30s);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << m.body;
    EXPECT_NE(m.body.find("# TYPE regpoll_request_duration_seconds histogram"), std::string::npos);
    EXPECT_NE(m.body.find("regpoll_device_up{device=\"meter\",bus=\"lab\"} 1\n"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("regpoll_request_duration_seconds_bucket{device=\"meter\",bus=\"lab\",le=\"+Inf\"}"),
              std::string::npos);
    std::smatch voltage;
    static const std::regex line("regpoll_value\\{device=\"meter\",point=\"voltage\",unit=\"V\"\\} (\\S+)");
    ASSERT_TRUE(std::regex_search(m.body, voltage, line)) << m.body;
    EXPECT_DOUBLE_EQ(std::stod(voltage[1]), values.at("voltage").get<double>());
    EXPECT_NE(m.body.find("process_cpu_seconds_total "), std::string::npos);
}

TEST_F(WebRun, ARealPrometheusScrapesRegpoll) {
    start();
    const auto port = free_tcp_port();
    std::ofstream(dir_ + "/prometheus.yml") << "global: { scrape_interval: 1s, scrape_timeout: 1s }\n"
                                               "scrape_configs:\n"
                                               "  - job_name: regpoll\n"
                                               "    static_configs: [ { targets: [\"" + base_.substr(7) + "\"] } ]\n";
    PeerProcess prometheus({"/bin/sh", "-c",
                            "echo READY; exec prometheus --config.file=" + dir_ + "/prometheus.yml" +
                                " --storage.tsdb.path=" + dir_ + "/tsdb --web.listen-address=127.0.0.1:" +
                                std::to_string(port)},
                           "READY", 10s, dir_ + "/prometheus.log");
    const auto query = "http://127.0.0.1:" + std::to_string(port) +
                       "/api/v1/query?query=regpoll_value%7Bdevice%3D%22meter%22%2Cpoint%3D%22voltage%22%7D";
    Json answer;
    const bool scraped = wait_for(
        [&] {
            published();
            const auto a = curl({query});
            answer = Json::parse(a.body, nullptr, false);
            return a.status == 200 && !answer.is_discarded() && answer["data"]["result"].size() == 1;
        },
        30s);
    ASSERT_TRUE(scraped) << answer.dump() << prometheus.stderr_log();
    const auto& series = answer["data"]["result"][0];
    EXPECT_EQ(series["metric"]["unit"], "V");
    EXPECT_EQ(series["metric"]["job"], "regpoll");
    const auto values = published();
    EXPECT_DOUBLE_EQ(std::stod(series["value"][1].get<std::string>()), values.at("voltage").get<double>());
}

TEST_F(WebRun, MetricValuesCanBeLeftOut) {
    start(R"("listen": "127.0.0.1:0", "metrics": { "values": false })");
    std::this_thread::sleep_for(700ms);
    const auto m = get("/metrics");
    ASSERT_EQ(m.status, 200);
    EXPECT_EQ(m.body.find("regpoll_value{"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("regpoll_requests_total{"), std::string::npos) << m.body;
}

// Where Debian's chromium is, or "" (then the page test skips, saying so).
std::string chromium() {
    for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
        if (::access(path, X_OK) == 0) return path;
    }
    return {};
}

// The page as headless Chromium renders it. --virtual-time-budget never ends on a page with
// an open event stream, so the DOM is taken when the page has loaded (the first event has
// come by then; `--timeout` bounds the wait). Root (CI's chroot) needs --no-sandbox.
CommandResult render(const std::string& browser, const std::string& url, const std::string& dir,
                     const std::string& what) {
    std::vector<std::string> argv{browser, "--headless=new", "--disable-gpu", "--no-first-run",
                                  "--user-data-dir=" + dir + "/chromium", "--timeout=10000", what, url};
    if (::geteuid() == 0) argv.insert(argv.begin() + 1, "--no-sandbox");
    return run_command(argv, 60s);
}

// The value the page shows for device/point, from its data-point cell.
std::string shown(const std::string& dom, const std::string& device_point) {
    const std::regex cell("data-point=\"" + device_point + "\">([^<]*)<");
    std::smatch m;
    return std::regex_search(dom, m, cell) ? m[1].str() : std::string();
}

TEST_F(WebRun, HeadlessChromiumShowsTheDevicesAndLiveValues) {
    const auto browser = chromium();
    if (browser.empty()) GTEST_SKIP() << "Debian's chromium is not installed (scripts/install-deps.sh)";
    start(R"("listen": "127.0.0.1:0")", {}, false);
    std::this_thread::sleep_for(1000ms);
    // The first event usually comes before the page's load ends, where the DOM is taken; on
    // a busy machine it may come after, so the page is asked again until it shows values.
    CommandResult first;
    std::string voltage;
    ASSERT_TRUE(wait_for(
        [&] {
            published();
            first = render(browser, base_ + "/", dir_, "--dump-dom");
            voltage = shown(first.out, "meter/voltage");
            return first.exit_code != 0 || !voltage.empty();
        },
        60s))
        << first.out;
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("data-device=\"meter\""), std::string::npos) << first.out;
    EXPECT_NE(first.out.find(config_), std::string::npos) << "the footer names the configuration";
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(voltage[0]))) << voltage;
    std::string later;
    ASSERT_TRUE(wait_for(
        [&] {
            published();
            const auto again = render(browser, base_ + "/", dir_, "--dump-dom");
            later = shown(again.out, "meter/voltage");
            return !later.empty() && later != voltage;
        },
        30s))
        << "the voltage stayed " << voltage;
    // The device page lists every point; a screenshot of the overview for people.
    CommandResult device;
    EXPECT_TRUE(wait_for(
        [&] {
            device = render(browser, base_ + "/#/device/meter", dir_, "--dump-dom");
            return device.out.find("data-point=\"meter/import_energy\"") != std::string::npos;
        },
        60s))
        << device.out;
    // The bus page shows the request plan.
    CommandResult buses;
    EXPECT_TRUE(wait_for(
        [&] {
            buses = render(browser, base_ + "/#/bus", dir_, "--dump-dom");
            return buses.out.find("Request plan of lab") != std::string::npos;
        },
        60s))
        << buses.out;
    EXPECT_NE(buses.out.find("<td>voltage current"), std::string::npos) << buses.out;
    const auto png = std::string(REGPOLL_TEST_BUILD_DIR) + "/web_page.png";
    fs::remove(png);
    const auto shot = render(browser, base_ + "/", dir_, "--screenshot=" + png);
    EXPECT_EQ(shot.exit_code, 0) << shot.err;
    EXPECT_GT(fs::exists(png) ? fs::file_size(png) : 0, 1000U) << png;
    EXPECT_TRUE(poller_->running());
}

TEST_F(WebRun, TlsServesHttpsWithTheConfiguredCertificate) {
    const auto cert = make_loopback_certificate(dir_);
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    start(R"("listen": "127.0.0.1:0", "tls": { "cert_file": ")" + dir_ + R"(/cert.pem", "key_file": ")" + dir_ +
          R"(/key.pem" })");
    EXPECT_NE(poller_->stderr_log().find("https 127.0.0.1:0: loopback only"), std::string::npos) << poller_->stderr_log();
    const std::string https = "https" + base_.substr(4);
    // curl checks the certificate against the file (no -k): the server presents ours.
    const auto devices = curl({"--cacert", dir_ + "/cert.pem", https + "/api/v1/devices"});
    EXPECT_EQ(devices.status, 200) << devices.body;
    EXPECT_EQ(Json::parse(devices.body, nullptr, false)["devices"][0]["name"], "meter") << devices.body;
    Answer health;
    EXPECT_TRUE(wait_for([&] {
        health = curl({"--cacert", dir_ + "/cert.pem", https + "/healthz"});
        return health.status == 200;
    })) << health.status << " " << health.body;
    // Without the certificate curl refuses it; plain HTTP to the TLS port gets no answer.
    // Neither stops the server.
    EXPECT_EQ(curl({https + "/healthz"}).status, 0);
    EXPECT_EQ(get("/healthz").status, 0);
    const auto again = curl({"--cacert", dir_ + "/cert.pem", "-H", "Connection: close", https + "/metrics"});
    EXPECT_EQ(again.status, 200);
    EXPECT_NE(again.body.find("regpoll_device_up{device=\"meter\",bus=\"lab\"} 1"), std::string::npos) << again.body;
    EXPECT_TRUE(poller_->running());
}

TEST(WebConfig, TlsFilesMustBeThereAndBeACertificateAndKey) {
    char pattern[] = "/tmp/regpoll-web-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const auto config = dir + "/site.json";
    const std::string site = R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "box", "bus": "lab", "points": [ { "name": "a", "address": 0 } ] } ],
      "http": { "listen": "127.0.0.1:0", "tls": )";
    std::ofstream(config) << site + R"({ "cert_file": ")" + dir + R"(/missing.pem" } } })";
    auto missing = regpoll({"validate", "-c", config});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("/http/tls/cert_file: cannot read \"" + dir + "/missing.pem\" (No such file or directory)"),
              std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("/http/tls: \"tls\" needs \"key_file\""), std::string::npos) << missing.err;
    // Files that are there but hold no certificate: `run` names the file and stops.
    std::ofstream(dir + "/junk.pem") << "not a certificate\n";
    std::ofstream(config) << site + R"({ "cert_file": ")" + dir + R"(/junk.pem", "key_file": ")" + dir + R"(/junk.pem" } } })";
    auto junk = regpoll({"run", "-c", config, "--output", "none"});
    EXPECT_NE(junk.exit_code, 0);
    EXPECT_NE(junk.err.find("/http/tls: cannot use the certificate \"" + dir + "/junk.pem\""), std::string::npos)
        << junk.err;
    fs::remove_all(dir);
}

TEST(WebConfig, AnOpenAddressWithoutAuthOrPublicIsRefused) {
    char pattern[] = "/tmp/regpoll-web-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const auto config = dir + "/site.json";
    const std::string site = R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:1502" } ],
      "devices": [ { "name": "box", "bus": "lab", "points": [ { "name": "a", "address": 0 } ] } ])";
    std::ofstream(config) << site + R"(, "http": { "listen": "0.0.0.0:8080" } })";
    for (const char* command : {"validate", "run"}) {
        auto r = regpoll({command, "-c", config});
        EXPECT_EQ(r.exit_code, 2) << command;
        EXPECT_NE(r.err.find(config + ": /http/listen: listening on 0.0.0.0:8080 (not loopback) needs \"auth\""),
                  std::string::npos)
            << r.err;
    }
    std::ofstream(config) << site + R"(, "http": { "listen": "127.0.0.1:0", "colour": "blue" } })";
    auto unknown = regpoll({"validate", "-c", config});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("/http/colour: unknown key"), std::string::npos) << unknown.err;
    std::ofstream(config) << site + " }";
    auto flag = regpoll({"run", "-c", config, "--http", "0.0.0.0:8080"});
    EXPECT_EQ(flag.exit_code, 2);
    EXPECT_NE(flag.err.find("--http: listening on 0.0.0.0:8080 (not loopback) needs"), std::string::npos)
        << flag.err;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace regpoll::testing
