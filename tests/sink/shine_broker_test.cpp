// Growatt Shine dataloggers -> `regpoll run` (shine+listen://) -> a real mosquitto. The
// sticks here are scripted test peers sending the reference's captured records (protocols 5
// and 6) and records built with the codec (protocol 2, a ShineLink with two inverters);
// loggers connected at once, Home Assistant and Domoticz output, a broker outage.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "../shine/hex.hpp"
#include "../shine/vectors.hpp"
#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"
#include "shine/frame.hpp"
#include "shine/records.hpp"

namespace regpoll::testing {
namespace {

using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;
namespace v = test::shine_vectors;

// One datalogger's TCP connection: send records, read what the server answers.
class Stick {
  public:
    explicit Stick(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect");
    }
    ~Stick() { ::close(fd_); }
    void send(const Bytes& b) {
        ASSERT_EQ(::write(fd_, b.data(), b.size()), static_cast<ssize_t>(b.size()));
    }
    // Exactly n bytes, or fewer if the server closes or 10 s pass.
    Bytes read(std::size_t n) {
        Bytes out;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            std::uint8_t buf[512];
            const auto got = ::read(fd_, buf, std::min(sizeof buf, n - out.size()));
            if (got <= 0) break;
            out.insert(out.end(), buf, buf + got);
        }
        return out;
    }
    // The server closed the connection within 10 s.
    bool closed() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            std::uint8_t b;
            if (::read(fd_, &b, 1) <= 0) return true;
        }
        return false;
    }

  private:
    int fd_ = -1;
};

// A protocol-2 live record of logger AH44460477 (inverter OLDINV0001, no clock): classic
// map, input 0-44 with status 1, Ppv 273.7 W at 1-2, Vpv1 255.3 V at 3.
Bytes protocol2_record() {
    Bytes body;
    for (char c : std::string("AH44460477OLDINV0001")) body.push_back(static_cast<std::uint8_t>(c));
    body.insert(body.end(), {0, 0, 0, 0, 0, 0, 1, 0x00, 0x00, 0x00, 44});
    std::vector<std::uint16_t> regs(45, 0);
    regs[0] = 1;
    regs[2] = 2737;
    regs[3] = 2553;
    for (auto r : regs) {
        body.push_back(static_cast<std::uint8_t>(r >> 8));
        body.push_back(static_cast<std::uint8_t>(r & 0xFF));
    }
    return shine::encode_frame(0x0007, 2, 1, 0x04, body);
}

class ShineRun : public ::testing::Test {
  protected:
    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = std::filesystem::temp_directory_path() /
               ("regpoll-shine-" + std::to_string(::getpid()) + "-" + name_);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        broker_.emplace(name_);
        port_ = free_loopback_port();
    }
    void TearDown() override {
        if (regpoll_ && HasFailure())
            std::cerr << "regpoll's log:\n" << regpoll_->stderr_log() << "\n";
        regpoll_.reset();
        std::filesystem::remove_all(dir_);
    }

    void start(const std::string& bus_extra, const std::string& site_extra = "",
               const std::string& mqtt_extra = "") {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "shine", "uri": "shine+listen://127.0.0.1:)"
                            << port_ << "\"" << bus_extra << R"( } ],
          "devices": [
            { "name": "min", "bus": "shine", "datalogger": "XGD5BF42MX", "upload_interval": "1m",
              "domoticz": [ { "idx": 12, "type": "kwh", "power": "ac_power", "energy": "energy_total" } ],
              "points": [ { "name": "status", "register": "input", "address": 3000 },
                          { "name": "ac_power", "register": "input", "address": 3023, "type": "int32", "scale": 0.1, "unit": "W" },
                          { "name": "grid_frequency", "register": "input", "address": 3025, "scale": 0.01 },
                          { "name": "energy_total", "register": "input", "address": 3051, "type": "int32", "scale": 0.1, "unit": "kWh" },
                          { "name": "battery_soc", "register": "input", "address": 1014 } ] },
            { "name": "link52", "bus": "shine", "datalogger": "GKB4827095", "inverter": "DAA384311B",
              "points": [ { "name": "active_power_rate", "register": "holding", "address": 3 },
                          { "name": "pv_power", "register": "input", "address": 1, "type": "int32", "scale": 0.1 } ] },
            { "name": "sim", "bus": "shine", "datalogger": "SIMLOG0001", "profile": "growatt/min-tl-xh",
              "upload_interval": "1s" },
            { "name": "pv_a", "bus": "shine", "datalogger": "LINK000001", "inverter": "INVA000001",
              "points": [ { "name": "pv_power", "register": "input", "address": 1, "type": "int32", "scale": 0.1 } ] },
            { "name": "pv_b", "bus": "shine", "datalogger": "LINK000001", "inverter": "INVB000001",
              "points": [ { "name": "pv_power", "register": "input", "address": 1, "type": "int32", "scale": 0.1 } ] },
            { "name": "old", "bus": "shine", "datalogger": "AH44460477",
              "points": [ { "name": "pv_power", "register": "input", "address": 1, "type": "int32", "scale": 0.1 },
                          { "name": "pv1_voltage", "register": "input", "address": 3, "scale": 0.1 } ] } ],
          "mqtt": { "broker": ")"
                            << broker_->uri() << R"(", "client_id": "regpoll-)" << name_
                            << "\"" << mqtt_extra << " }" << site_extra << " }";
        regpoll_.emplace(
            std::vector<std::string>{"/bin/sh", "-c",
                                     std::string("echo READY; exec ") + REGPOLL_BINARY +
                                         " run -c " + path + " --output none"},
            "READY", std::chrono::seconds(20), (dir_ / "regpoll.log").string());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!port_open(port_)) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "regpoll did not listen";
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    // The newest state object of a device, waiting up to 10 s for one that has `point`.
    json state(Subscriber& sub, const std::string& device, const std::string& point) {
        const std::string topic = "regpoll/" + device + "/state";
        auto has = [&](const std::vector<Received>& got) {
            for (const auto& r : got) {
                if (r.topic == topic && json::parse(r.payload).contains(point)) return true;
            }
            return false;
        };
        if (!has(sub.got)) sub.collect(std::chrono::seconds(10), has);
        const auto all = sub.payloads(topic);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            auto j = json::parse(*it);
            if (j.contains(point)) return j;
        }
        return json::object();
    }

    std::string name_;
    std::filesystem::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> regpoll_;
    std::uint16_t port_ = 0;
};

TEST_F(ShineRun, ProtocolsTwoFiveAndSixFromLoggersConnectedAtOnce) {
    start("");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    Stick v6(port_);
    Stick v5(port_);
    Stick v2(port_);

    // Pings are echoed as they are; data records get the one-byte ack.
    v6.send(test::unhex(v::v1_ping_v6));
    v5.send(test::unhex(v::v8_announce_v5));
    v2.send(protocol2_record());
    v6.send(test::unhex(v::v7_data_v6));
    EXPECT_EQ(test::to_hex(v6.read(40)), v::v1_ping_v6);
    EXPECT_EQ(test::to_hex(v6.read(11)), v::v7_ack_v6);
    EXPECT_EQ(test::to_hex(v5.read(11)), v::v8_ack_v5);
    EXPECT_EQ(test::to_hex(v2.read(9)), "000700020003010400");

    const json min = state(sub, "min", "ac_power");
    EXPECT_EQ(min.value("status", -1), 1);
    EXPECT_DOUBLE_EQ(min.value("ac_power", 0.0), 283.2);
    EXPECT_DOUBLE_EQ(min.value("grid_frequency", 0.0), 50.0);
    EXPECT_DOUBLE_EQ(min.value("energy_total", 0.0), 6771.7);
    EXPECT_FALSE(min.contains("battery_soc")) << "a point outside the record's blocks has no value";

    // The announce carries holding registers only: no input point from it.
    const json link = state(sub, "link52", "active_power_rate");
    EXPECT_EQ(link.value("active_power_rate", -1), 100);
    EXPECT_FALSE(link.contains("pv_power"));

    const json old = state(sub, "old", "pv_power");
    EXPECT_DOUBLE_EQ(old.value("pv_power", 0.0), 273.7);
    EXPECT_DOUBLE_EQ(old.value("pv1_voltage", 0.0), 255.3);

    sub.collect(std::chrono::seconds(1));
    EXPECT_FALSE(sub.payloads("regpoll/min/availability").empty());
    EXPECT_EQ(sub.payloads("regpoll/min/availability").back(), "online");
}

// The captured MIN record re-sent as a buffered 0x50 record stamped `time` (UTC), with
// another AC power (0.1 W units) so its value cannot be mistaken for the live one.
Bytes buffered_record(const shine::RecordTime& time, std::uint16_t ac_power_tenths) {
    const auto live = test::unhex(v::v7_data_v6);
    const auto cut = shine::cut_frame(live);
    auto rec = shine::decode_data_record(cut.frame);
    EXPECT_TRUE(rec);
    rec->time = time;
    rec->blocks[0].values[23] = 0;  // 3023-3024: AC power, high word first
    rec->blocks[0].values[24] = ac_power_tenths;
    return shine::encode_frame(0x0042, cut.frame.protocol, cut.frame.unit, 0x50,
                               shine::encode_data_body(*rec, cut.frame.protocol));
}

// Every (ts, value) of a point in the history database, oldest first.
std::vector<std::pair<std::int64_t, double>> history_rows(const std::string& path,
                                                          const std::string& device,
                                                          const std::string& point) {
    std::vector<std::pair<std::int64_t, double>> rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << path;
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt* st = nullptr;
    const char* sql =
        "SELECT s.ts, s.value FROM samples s JOIN points p ON p.id = s.point_id "
        "JOIN devices d ON d.id = p.device_id WHERE d.name = ?1 AND p.name = ?2 ORDER BY s.ts";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_bind_text(st, 1, device.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, point.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        rows.emplace_back(sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

// A record stored during an outage reaches the history and MQTT with its own time, marked
// buffered, and never becomes the current state Home Assistant reads.
TEST_F(ShineRun, BufferedRecordGoesToHistoryWithItsOwnTimeNotToTheCurrentState) {
    const auto db = (dir_ / "history.db").string();
    start(R"(, "timezone": "UTC")", R"(, "history": { "path": ")" + db + R"(" })");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    Stick stick(port_);
    stick.send(test::unhex(v::v7_data_v6));
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);
    EXPECT_DOUBLE_EQ(state(sub, "min", "ac_power").value("ac_power", 0.0), 283.2);

    // Two hours ago, to the second, in UTC (the bus's timezone).
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    const std::time_t then = static_cast<std::time_t>(now_s - 7200);
    std::tm t{};
    gmtime_r(&then, &t);
    const shine::RecordTime stamp{t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                                  t.tm_hour,        t.tm_min,     t.tm_sec};
    const std::int64_t then_ms = static_cast<std::int64_t>(then) * 1000;
    stick.send(buffered_record(stamp, 10000));  // 1000.0 W
    const auto ack = stick.read(11);
    ASSERT_EQ(ack.size(), 11U);
    EXPECT_EQ(ack[7], 0x50) << "the buffered record is acked as such";

    const std::string topic = "regpoll/min/buffered";
    sub.collect(std::chrono::seconds(10), [&](const std::vector<Received>& got) {
        for (const auto& r : got) {
            if (r.topic == topic) return true;
        }
        return false;
    });
    ASSERT_EQ(sub.payloads(topic).size(), 1U);
    const json buffered = json::parse(sub.payloads(topic).front());
    EXPECT_EQ(buffered.value("buffered", false), true);
    EXPECT_EQ(buffered.value("ts", std::int64_t{0}), then_ms);
    EXPECT_DOUBLE_EQ(buffered.value("ac_power", 0.0), 1000.0);

    // The next live record: the state is still the live value, and no state message ever
    // carried the buffered one.
    stick.send(test::unhex(v::v7_data_v6));
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);
    sub.collect(std::chrono::seconds(10), [&](const std::vector<Received>&) {
        return sub.payloads("regpoll/min/state").size() >= 2;
    });
    const auto states = sub.payloads("regpoll/min/state");
    ASSERT_GE(states.size(), 2U);
    for (const auto& p : states) {
        const json j = json::parse(p);
        EXPECT_DOUBLE_EQ(j.value("ac_power", 0.0), 283.2) << p;
        EXPECT_FALSE(j.contains("buffered")) << p;
        EXPECT_GT(j.value("ts", std::int64_t{0}), then_ms) << p;
    }
    for (const auto& p : sub.payloads("regpoll/min/ac_power")) EXPECT_EQ(p, "283.2");

    // The history has the buffered value at its own time, before the live ones.
    EXPECT_EQ(regpoll_->stop(), 0);
    const auto rows = history_rows(db, "min", "ac_power");
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0].first, then_ms);
    EXPECT_DOUBLE_EQ(rows[0].second, 1000.0);
    EXPECT_DOUBLE_EQ(rows[1].second, 283.2);
    EXPECT_DOUBLE_EQ(rows[2].second, 283.2);
}

// `regpoll simulate --shine` plays a TL-X stick: started while regpoll is not there yet, it
// keeps its records and sends them as buffered ones once regpoll listens; then live ones.
TEST_F(ShineRun, SimulatedStickBuffersWhileTheServerIsAwayThenFeedsRegpoll) {
    const std::string target = "tcp://127.0.0.1:" + std::to_string(port_);
    PeerProcess stick({REGPOLL_BINARY, "simulate", "--shine", target, "--profile",
                       "growatt/min-tl-xh", "--datalogger", "SIMLOG0001", "--inverter",
                       "SIMINV0001", "--upload-interval", "1s", "--freeze", "--print-values"},
                      "READY", std::chrono::seconds(20), (dir_ / "stick.log").string());
    // No server for a while: the stick keeps what it takes.
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    const auto before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const auto db = (dir_ / "history.db").string();
    Subscriber sub(broker_->uri(), "watch-" + name_);  // before the stick's first records
    start("", R"(, "history": { "path": ")" + db + R"(" })");

    // The live state carries the simulated values (frozen: every record the same).
    const json live = state(sub, "sim", "ac_power");
    json intended;
    {
        const auto out = stick.read_available_stdout();
        const auto line = out.substr(0, out.find('\n'));
        ASSERT_FALSE(line.empty()) << "no --print-values line";
        intended = json::parse(line).at("values");
    }
    int compared = 0;
    for (const auto& [point, value] : intended.items()) {
        if (!value.is_number() || !live.contains(point)) continue;
        EXPECT_NEAR(live[point].get<double>(), value.get<double>(), 0.051) << point;
        ++compared;
    }
    EXPECT_GE(compared, 20) << live.dump();
    ASSERT_TRUE(live.contains("status") && intended.contains("status"));
    EXPECT_EQ(live["status"], intended["status"]);
    EXPECT_FALSE(live.contains("buffered"));

    // What it kept while regpoll was away came as buffered records with their own times.
    sub.collect(std::chrono::seconds(5), [](const std::vector<Received>& got) {
        return std::count_if(got.begin(), got.end(), [](const Received& r) {
                   return r.topic == "regpoll/sim/buffered";
               }) >= 2;
    });
    const auto buffered = sub.payloads("regpoll/sim/buffered");
    ASSERT_GE(buffered.size(), 2U) << "the stick kept at least two records";
    const auto first_live_ms = live.value("ts", std::int64_t{0});
    for (const auto& p : buffered) {
        const json j = json::parse(p);
        EXPECT_TRUE(j.value("buffered", false));
        EXPECT_LT(j.value("ts", std::int64_t{0}), first_live_ms) << "taken before it connected";
        EXPECT_NEAR(j.value("ac_power", -1.0), intended.value("ac_power", -2.0), 0.051);
    }

    // The history holds them too, at their times, before the live ones.
    EXPECT_EQ(regpoll_->stop(), 0);
    const auto rows = history_rows(db, "sim", "ac_power");
    ASSERT_GE(rows.size(), buffered.size() + 1);
    EXPECT_LT(rows.front().first, before_ms);
    EXPECT_GT(rows.back().first, before_ms);
}

TEST_F(ShineRun, CorruptRecordIsDroppedAndTheNextOneStillAcked) {
    start("");
    Stick stick(port_);
    Bytes bad = test::unhex(v::v7_data_v6);
    bad[300] ^= 0xFF;
    Bytes both = bad;
    const Bytes good = test::unhex(v::v7_data_v6);
    both.insert(both.end(), good.begin(), good.end());
    stick.send(both);
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (regpoll_->stderr_log().find("CRC mismatch") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // One drop, or two where the bad frame's CRC and the next header look like a header.
    EXPECT_NE(regpoll_->stderr_log().find("CRC mismatch"), std::string::npos);
}

TEST_F(ShineRun, UnknownLoggerIsLoggedOnceAndAckedOrDropped) {
    start("");
    {
        Stick stranger(port_);
        stranger.send(test::unhex(v::v2_ping_v6));  // logger XGD3A1968B: no device names it
        stranger.send(test::unhex(v::v2_ping_v6));
        EXPECT_EQ(stranger.read(80).size(), 80U) << "both pings echoed";
    }
    const std::string log = regpoll_->stderr_log();
    const auto first = log.find("XGD3A1968B");
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find("is not named by any device", log.find("is not named by any device") + 1),
              std::string::npos)
        << "logged once";
    regpoll_.reset();

    start(", \"unknown_loggers\": \"drop\"");
    Stick stranger(port_);
    stranger.send(test::unhex(v::v2_ping_v6));
    EXPECT_TRUE(stranger.closed());
}

// A protocol-6 live record of ShineLink LINK000001 for one of its inverters: input 0-44,
// PV power (input 1-2, 0.1 W) as given.
Bytes link_record(const std::string& inverter, std::uint32_t pv_tenths, std::uint16_t transaction) {
    shine::DataRecord rec;
    rec.datalogger = "LINK000001";
    rec.inverter = inverter;
    shine::RegisterBlock block;
    block.values.assign(45, 0);
    block.values[0] = 1;
    block.values[1] = static_cast<std::uint16_t>(pv_tenths >> 16);
    block.values[2] = static_cast<std::uint16_t>(pv_tenths & 0xFFFF);
    rec.blocks.push_back(block);
    return shine::encode_frame(transaction, 6, 1, 0x04, shine::encode_data_body(rec, 6));
}

// One ShineLink carrying two inverters: each inverter's records feed its own device, over
// one connection; a third inverter no device names is logged with both serials and acked.
TEST_F(ShineRun, ShineLinkWithTwoInvertersFeedsTwoDevices) {
    start("");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    Stick link(port_);
    link.send(link_record("INVA000001", 12345, 1));
    link.send(link_record("INVB000001", 6789, 2));
    link.send(link_record("INVC000001", 5555, 3));
    const auto acks = link.read(33);
    ASSERT_EQ(acks.size(), 33U) << "three records, three acks";
    EXPECT_EQ(acks[7], 0x04);

    EXPECT_DOUBLE_EQ(state(sub, "pv_a", "pv_power").value("pv_power", 0.0), 1234.5);
    EXPECT_DOUBLE_EQ(state(sub, "pv_b", "pv_power").value("pv_power", 0.0), 678.9);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (regpoll_->stderr_log().find("INVC000001") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string log = regpoll_->stderr_log();
    EXPECT_NE(log.find("\"datalogger\": \"LINK000001\", \"inverter\": \"INVC000001\""),
              std::string::npos)
        << log;
    for (const auto& p : sub.payloads("regpoll/pv_a/state"))
        EXPECT_DOUBLE_EQ(json::parse(p).value("pv_power", 0.0), 1234.5) << "never B's or C's";
}

// A Shine device is a device like any other for Home Assistant and Domoticz: retained
// discovery configs for its points and its Domoticz mapping on domoticz/in; and what is
// decoded while the broker is down reaches it once it is back (the outbox).
TEST_F(ShineRun, HomeAssistantDomoticzAndABrokerOutage) {
    start(R"(, "timezone": "UTC")", "", R"(, "homeassistant": true)");
    auto sub = std::make_unique<Subscriber>(broker_->uri(), "watch-" + name_);
    Stick stick(port_);
    stick.send(test::unhex(v::v7_data_v6));
    EXPECT_EQ(test::to_hex(stick.read(11)), v::v7_ack_v6);

    const std::string config_topic = "homeassistant/sensor/regpoll_min/ac_power/config";
    sub->collect(std::chrono::seconds(10), [&](const std::vector<Received>&) {
        return !sub->payloads(config_topic).empty() && !sub->payloads("domoticz/in").empty();
    });
    ASSERT_FALSE(sub->payloads(config_topic).empty());
    const json config = json::parse(sub->payloads(config_topic).back());
    EXPECT_EQ(config.value("state_topic", ""), "regpoll/min/state");
    ASSERT_FALSE(sub->payloads("domoticz/in").empty());
    const json dz = json::parse(sub->payloads("domoticz/in").back());
    EXPECT_EQ(dz.value("idx", 0), 12);
    EXPECT_EQ(dz.value("svalue", ""), "283.2;6771700");

    // The broker goes away; a record decoded meanwhile is kept and delivered afterwards to
    // the subscriber's kept session.
    sub.reset();
    broker_->stop();
    const std::time_t then = std::time(nullptr) - 3600;  // an hour ago, in UTC (the bus's zone)
    std::tm t{};
    gmtime_r(&then, &t);
    stick.send(buffered_record(
        {t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec}, 4321));
    ASSERT_EQ(stick.read(11).size(), 11U) << "acked while the broker is away";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    broker_->start();
    sub = std::make_unique<Subscriber>(broker_->uri(), "watch-" + name_);
    sub->collect(std::chrono::seconds(15), [&](const std::vector<Received>&) {
        return !sub->payloads("regpoll/min/buffered").empty();
    });
    ASSERT_EQ(sub->payloads("regpoll/min/buffered").size(), 1U);
    EXPECT_DOUBLE_EQ(
        json::parse(sub->payloads("regpoll/min/buffered").front()).value("ac_power", 0.0), 432.1);
}

// `regpoll simulate --shine --sticks 3` plays three sticks from one process, their serials
// counted up: SIMLOG0001 feeds the device that names it, the other two are loggers no device
// names, each connected and logged with its own serial.
TEST_F(ShineRun, OneSimulatorProcessPlaysSeveralSticks) {
    start("");
    Subscriber sub(broker_->uri(), "watch-" + name_);
    PeerProcess sticks({REGPOLL_BINARY, "simulate", "--shine", "tcp://127.0.0.1:" + std::to_string(port_),
                        "--profile", "growatt/min-tl-xh", "--datalogger", "SIMLOG0001", "--inverter",
                        "SIMINV0001", "--sticks", "3", "--upload-interval", "1s"},
                       "READY", std::chrono::seconds(20), (dir_ / "sticks.log").string());
    EXPECT_TRUE(state(sub, "sim", "ac_power").contains("ac_power"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto log = regpoll_->stderr_log();
    while ((log.find("SIMLOG0002") == std::string::npos || log.find("SIMLOG0003") == std::string::npos) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        log = regpoll_->stderr_log();
    }
    EXPECT_NE(log.find("datalogger SIMLOG0002"), std::string::npos) << log;
    EXPECT_NE(log.find("datalogger SIMLOG0003"), std::string::npos) << log;
    EXPECT_EQ(log.find("SIMLOG0004"), std::string::npos) << "three sticks, not more";
}

TEST(SimulateShine, SerialsThatCannotCountUpAreRefused) {
    const auto r = run_command({REGPOLL_BINARY, "simulate", "--shine", "tcp://127.0.0.1:1", "--profile",
                                "growatt/min-tl-xh", "--datalogger", "SIMLOG", "--sticks", "2", "--seconds", "1"},
                               std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--datalogger SIMLOG and --inverter SIMINV0001 must end in enough digits"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace regpoll::testing
