// The InfluxDB example plugin through the real loader and the sink adapter: the exact lines
// written to a file, sent over UDP and over TCP to listeners on 127.0.0.1, reconnecting
// after the reader closes, and its configuration errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "plugin/plugin_sink.hpp"
#include "test_support.hpp"

namespace regpoll::plugin {
namespace {

using namespace testing;

// A socket on 127.0.0.1 with a free port, closed at the end of the test.
struct Socket {
    int fd = -1;
    std::uint16_t port = 0;
    explicit Socket(int type) {
        fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("bind");
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        if (type == SOCK_STREAM) ::listen(fd, 4);
    }
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    bool readable(int timeout_ms) const {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, timeout_ms) > 0;
    }
};

// Accepts one connection (waiting at most 10 s); -1 if none came.
int accept_one(const Socket& listener) {
    if (!listener.readable(10'000)) return -1;
    return ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// Reads from a connected socket until `expected` bytes arrived, the peer closed, or 10 s.
std::string read_stream(int fd, std::size_t expected = SIZE_MAX) {
    std::string out;
    char buf[4096];
    while (out.size() < expected) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10'000) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

struct Batch {
    std::string device = "inverter";
    std::vector<std::string> names = {"ac_power", "energy_total", "counter", "small", "running",
                                      "status",   "na",           "bad",     "temp",  "lines"};
    std::vector<std::string> units = {"W", "kWh", "", "", "", "", "V", "V", "°C", ""};
    std::vector<poll::Sample> samples;
    Batch() {
        const std::vector<codec::Value> values = {1234.5,
                                                  std::int64_t{123456},
                                                  std::uint64_t{18446744073709551615ULL},
                                                  std::uint64_t{42},
                                                  true,
                                                  std::string("he said \"hi\", \\ ok"),
                                                  std::monostate{},
                                                  std::nan(""),
                                                  -3.25,
                                                  std::string("a\nb")};
        for (std::size_t i = 0; i < names.size(); ++i) {
            poll::Sample s;
            s.ts_ms = 1763632800123;
            s.device = &device;
            s.point = &names[i];
            s.unit = &units[i];
            s.value = values[i];
            s.quality = i == 6 ? poll::Quality::unavailable : poll::Quality::good;
            samples.push_back(s);
        }
    }
};

// What Batch becomes with measurement "solar data", tag site = "roof top,a=b", precision ns.
const std::string expected_lines =
    "solar\\ data,device=inverter,point=ac_power,site=roof\\ top\\,a\\=b,unit=W value=1234.5 "
    "1763632800123000000\n"
    "solar\\ data,device=inverter,point=energy_total,site=roof\\ top\\,a\\=b,unit=kWh "
    "value=123456i 1763632800123000000\n"
    "solar\\ data,device=inverter,point=counter,site=roof\\ top\\,a\\=b "
    "value=18446744073709551615u 1763632800123000000\n"
    "solar\\ data,device=inverter,point=small,site=roof\\ top\\,a\\=b value=42i "
    "1763632800123000000\n"
    "solar\\ data,device=inverter,point=running,site=roof\\ top\\,a\\=b value=true "
    "1763632800123000000\n"
    "solar\\ data,device=inverter,point=status,site=roof\\ top\\,a\\=b value=\"he said \\\"hi\\\", "
    "\\\\ ok\" "
    "1763632800123000000\n"
    "solar\\ data,device=inverter,point=temp,site=roof\\ top\\,a\\=b,unit=°C value=-3.25 "
    "1763632800123000000\n"
    "solar\\ data,device=inverter,point=lines,site=roof\\ top\\,a\\=b value=\"a b\" "
    "1763632800123000000\n";

SinkSpec influx_spec(const std::string& dir, const std::string& config) {
    auto lib = PluginLibrary::load(INFLUXDB_PLUGIN);
    if (!lib) throw std::runtime_error(lib.error());
    SinkSpec s;
    s.library = *lib;
    s.config_json = config;
    s.config_dir = dir;
    s.instance = dir + "/site.json: /plugins/0";
    return s;
}

const std::string format_config = R"("measurement":"solar data","tags":{"site":"roof top,a=b"})";

TEST(InfluxdbPlugin, WritesExactLinesToAFileAndAppends) {
    const auto dir = temp_dir("influx-file");
    Batch batch;
    {
        PluginSink sink(influx_spec(dir, R"({"output":"points.lp",)" + format_config + "}"));
        sink.on_samples(batch.samples);
        sink.on_availability("inverter", false);
        sink.stop();
        EXPECT_EQ(sink.stats().written, 10U);  // handed over; the plugin itself skips n/a and NaN
    }
    const auto first = read_file(dir + "/points.lp");
    ASSERT_EQ(first.rfind(expected_lines, 0), 0U) << first;
    const auto availability = first.substr(expected_lines.size());
    EXPECT_TRUE(std::regex_match(availability,
                                 std::regex(R"(solar\\ data_availability,device=inverter,)"
                                            R"(site=roof\\ top\\,a\\=b online=false \d{19}\n)")))
        << availability;
    {
        PluginSink sink(
            influx_spec(dir, R"({"output":"points.lp","precision":"s","availability":false})"));
        sink.on_samples({batch.samples.data(), 1});
        sink.on_availability("inverter", true);
    }  // the destructor stops, flushes and closes
    EXPECT_EQ(read_file(dir + "/points.lp"),
              first + "regpoll,device=inverter,point=ac_power,unit=W value=1234.5 1763632800\n");
}

TEST(InfluxdbPlugin, SendsDatagramsOfWholeLinesOverUdp) {
    const auto dir = temp_dir("influx-udp");
    Socket receiver(SOCK_DGRAM);
    Batch batch;
    std::string expected;
    {
        PluginSink sink(influx_spec(dir, R"({"output":"udp://127.0.0.1:)" +
                                             std::to_string(receiver.port) + R"(",)" +
                                             format_config + "}"));
        for (int i = 0; i < 20; ++i) {  // 160 lines, about 16 KiB: several datagrams
            sink.on_samples(batch.samples);
            expected += expected_lines;
        }
    }
    std::string received;
    int datagrams = 0;
    char buf[65536];
    while (received.size() < expected.size() && receiver.readable(10'000)) {
        const ssize_t n = ::recv(receiver.fd, buf, sizeof buf, 0);
        ASSERT_GT(n, 0);
        ASSERT_LE(n, 1400);
        EXPECT_EQ(buf[n - 1], '\n');  // never a line cut in two
        received.append(buf, static_cast<std::size_t>(n));
        ++datagrams;
    }
    EXPECT_EQ(received, expected);
    EXPECT_GE(datagrams, 12);
}

TEST(InfluxdbPlugin, StreamsLinesOverTcp) {
    const auto dir = temp_dir("influx-tcp");
    Socket listener(SOCK_STREAM);
    Batch batch;
    {
        PluginSink sink(influx_spec(dir, R"({"output":"tcp://127.0.0.1:)" +
                                             std::to_string(listener.port) +
                                             R"(","precision":"ms"})"));
        sink.on_samples({batch.samples.data(), 2});
    }  // flushed and closed: the reader sees the lines, then the end of the stream
    const int conn = accept_one(listener);
    ASSERT_GE(conn, 0);
    EXPECT_EQ(read_stream(conn),
              "regpoll,device=inverter,point=ac_power,unit=W value=1234.5 1763632800123\n"
              "regpoll,device=inverter,point=energy_total,unit=kWh value=123456i 1763632800123\n");
    ::close(conn);
}

// The plugin's own functions, through the loader: write, flush, the reader closes, the next
// flush connects again and delivers.
struct Direct {
    std::shared_ptr<PluginLibrary> lib;
    const regpoll_sink_ops* ops;
    void* handle = nullptr;
    char error[512] = {};
    explicit Direct(const std::string& config) {
        auto loaded = PluginLibrary::load(INFLUXDB_PLUGIN);
        if (!loaded) throw std::runtime_error(loaded.error());
        lib = *loaded;
        ops = lib->sink();
        regpoll_open_args args{};
        args.struct_size = sizeof args;
        args.config_json = config.c_str();
        args.config_dir = "/tmp";
        args.instance = "test";
        handle = ops->open(&args, error, sizeof error);
        if (!handle) throw std::runtime_error(error);
    }
    ~Direct() { ops->close(handle); }
    int write_and_flush(const poll::Sample& s) {
        const std::string& unit = *s.unit;
        regpoll_sample c{s.ts_ms,      s.device->c_str(),    s.point->c_str(),
                         unit.c_str(), REGPOLL_QUALITY_GOOD, regpoll_value{REGPOLL_VALUE_INT, {}}};
        c.value.as.i = std::get<std::int64_t>(s.value);
        if (ops->write(handle, &c, 1, error, sizeof error) != 0) return 1;
        return ops->flush(handle, error, sizeof error);
    }
};

TEST(InfluxdbPlugin, ReconnectsWhenTheTcpReaderGoesAway) {
    Socket listener(SOCK_STREAM);
    Direct influx(R"({"output":"tcp://127.0.0.1:)" + std::to_string(listener.port) +
                  R"(","precision":"s"})");
    Batch batch;
    ASSERT_EQ(influx.write_and_flush(batch.samples[1]), 0) << influx.error;
    int conn = accept_one(listener);
    ASSERT_GE(conn, 0);
    const std::string line =
        "regpoll,device=inverter,point=energy_total,unit=kWh value=123456i 1763632800\n";
    EXPECT_EQ(read_stream(conn, line.size()), line);
    ::close(conn);  // the reader restarts
    ASSERT_EQ(influx.write_and_flush(batch.samples[1]), 0) << influx.error;
    conn = accept_one(listener);
    ASSERT_GE(conn, 0) << "no new connection";
    EXPECT_EQ(read_stream(conn, line.size()), line);
    ::close(conn);
}

TEST(InfluxdbPlugin, KeepsLinesWhileTheTcpReaderIsDown) {
    std::uint16_t port;
    {
        Socket probe(SOCK_STREAM);
        port = probe.port;
    }  // closed: nothing listens there now
    Direct influx(R"({"output":"tcp://127.0.0.1:)" + std::to_string(port) + R"("})");
    Batch batch;
    EXPECT_EQ(influx.write_and_flush(batch.samples[1]), 1);
    EXPECT_EQ(std::string(influx.error),
              "connecting to tcp://127.0.0.1:" + std::to_string(port) +
                  ": Connection refused (86 bytes wait for the next try)");
    EXPECT_EQ(influx.write_and_flush(batch.samples[1]), 1);  // within the back-off: not even tried
    EXPECT_EQ(std::string(influx.error)
                  .rfind("not connected to tcp://127.0.0.1:" + std::to_string(port) +
                             " (connecting to tcp://127.0.0.1:" + std::to_string(port) +
                             ": Connection refused; next attempt in ",
                         0),
              0U)
        << influx.error;
    EXPECT_NE(std::string(influx.error).find("(172 bytes wait for the next try)"),
              std::string::npos)
        << influx.error;
}

TEST(InfluxdbPlugin, ConfigurationMistakesFailTheOpen) {
    const auto dir = temp_dir("influx-config");
    auto open_error = [&](const std::string& config) {
        try {
            PluginSink sink(influx_spec(dir, config));
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            const auto at = what.find(" could not open: ");
            return at == std::string::npos ? what : what.substr(at + 17);
        }
        return std::string("(opened)");
    };
    EXPECT_EQ(open_error("{}"),
              "\"output\" is required: \"udp://host:port\", \"tcp://host:port\" or a file path");
    EXPECT_EQ(open_error(R"({"output":"x.lp","colour":1})"),
              "unknown key \"colour\" (expected output, measurement, tags, precision, "
              "availability, max_buffer)");
    EXPECT_EQ(open_error(R"({"output":"x.lp","precision":"min"})"),
              "\"precision\" must be \"ns\", \"us\", \"ms\" or \"s\"");
    EXPECT_EQ(open_error(R"({"output":"x.lp","tags":{"device":"x"}})"),
              "tag \"device\" is set by regpoll");
    EXPECT_EQ(open_error(R"({"output":"ftp://host/x"})"),
              "\"ftp://host/x\" is not an output (expected udp://host:port, tcp://host:port or a "
              "file path)");
    EXPECT_EQ(open_error(R"({"output":"udp://127.0.0.1"})"),
              "expected host:port, found \"127.0.0.1\"");
    EXPECT_EQ(open_error(R"({"output":"nodir/x.lp"})"),
              "cannot open " + dir + "/nodir/x.lp for appending: No such file or directory");
    EXPECT_EQ(open_error(R"({"output":"udp://host.invalid:8089"})")
                  .rfind("cannot resolve \"host.invalid:8089\": ", 0),
              0U);
}

}  // namespace
}  // namespace regpoll::plugin
