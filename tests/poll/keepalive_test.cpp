// Keepalive rewrites against a device on loopback: once a value is written to a kept-alive
// point, the running poller writes it again every period through its one connection, a new
// value replaces it, a refused rewrite is tried again without disturbing polling, and the
// rewrites wait while the device is offline. The device (picky_device.hpp) logs every
// write it takes up. Periods are short, and the checks count writes within generous
// windows: a loaded machine makes rewrites late, never early or more frequent.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "picky_device.hpp"
#include "site_files.hpp"
#include "poll/poller.hpp"
#include "profile/site_config.hpp"

namespace regpoll::poll {
namespace {

using testing::PickyDevice;
using Reply = PickyDevice::Reply;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto every = 300ms;  // the profile's keepalive period
constexpr std::uint16_t current_register = 10;

class NullSink : public SampleSink {
  public:
    void on_samples(std::span<const Sample> s) override { samples += s.size(); }
    void on_availability(const std::string&, bool) override {}
    std::size_t samples = 0;
};

// A charger profile (current limit kept alive every 300 ms, a state register) and a site
// polling it every 100 ms from the device on `port`.
const std::string charger_profile = R"({ "manufacturer": "Test", "model": "Charger", "source": "test",
      "limits": { "write_watchdog": "1s" },
      "keepalive": [ { "point": "max_current", "every": "300ms" } ],
      "points": [ { "name": "max_current", "address": 10, "type": "uint16", "writable": true, "min": 0, "max": 32 },
                  { "name": "state", "address": 20, "type": "uint16" } ] })";

// `profile_text` replaces the charger's profile; `device_extra` adds keys to the device entry
// (", \"keepalive\": [...]"); "writes": "all".
std::shared_ptr<const profile::SiteConfig> charger_site(std::uint16_t port,
                                                        const std::string& poller = "{}",
                                                        const std::string& profile_text = charger_profile,
                                                        const std::string& device_extra = "") {
    const std::string site_text = R"({ "poller": )" + poller + R"(,
      "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" + std::to_string(port) + R"(", "timeout": "250ms" } ],
      "devices": [ { "name": "charger", "bus": "lab", "unit": 1, "interval": "100ms", "profile": "./charger.json",
                     "writes": "all", "write_interval": "0s" )" + device_extra + R"( } ] })";
    return testing::load_site_files({{"charger.json", profile_text}, {"site.json", site_text}}, "site.json");
}

// The charger's registers: current limit 6 A, state 2.
void fill_charger(server::UnitTables& t) {
    const std::uint16_t current[] = {6};
    const std::uint16_t state[] = {2};
    t.set_registers(modbus::RegisterKind::holding, current_register, current);
    t.set_registers(modbus::RegisterKind::holding, 20, state);
}

PickyDevice make_charger() {
    return PickyDevice(fill_charger, [](const PickyDevice::Read&, unsigned) { return Reply::answer; });
}

// The values of the writes to the current register, in order (refused ones too).
std::vector<std::uint16_t> written(PickyDevice& device) {
    std::vector<std::uint16_t> out;
    for (const auto& w : device.writes()) {
        if (w.address == current_register && !w.values.empty()) out.push_back(w.values.front());
    }
    return out;
}

std::size_t count_of(const std::vector<std::uint16_t>& values, std::uint16_t v) {
    return static_cast<std::size_t>(std::count(values.begin(), values.end(), v));
}

// Runs `io`, calling `step` every 20 ms on its thread until it returns true or 30 s have
// passed (then the test fails with `what`).
void run_steps(asio::io_context& io, const std::function<bool()>& step, const std::string& what) {
    asio::steady_timer tick(io);
    bool done = false;
    const auto give_up = Clock::now() + 30s;
    std::function<void()> arm = [&] {
        tick.expires_after(20ms);
        tick.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            if (step()) {
                done = true;
                io.stop();
            } else if (Clock::now() > give_up) {
                io.stop();
            } else {
                arm();
            }
        });
    };
    arm();
    io.restart();
    io.run();
    EXPECT_TRUE(done) << what << " did not happen within 30 s";
}

// Writes `payload` to max_current and runs until the write is done; true if it succeeded.
bool write_current(asio::io_context& io, Poller& poller, const std::string& payload) {
    std::optional<WriteOutcome> outcome;
    poller.write("charger", "max_current", payload, [&](const WriteOutcome& o) { outcome = o; });
    run_steps(
        io, [&] { return outcome.has_value(); }, "the write of " + payload);
    EXPECT_TRUE(outcome && outcome->ok) << (outcome ? outcome->error : "no outcome");
    return outcome && outcome->ok;
}

TEST(Keepalive, NothingIsWrittenBeforeAValueIs) {
    auto device = make_charger();
    asio::io_context io;
    NullSink sink;
    Poller poller(io, charger_site(device.port()), sink);
    poller.start();
    const auto until = Clock::now() + 4 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "four periods");
    EXPECT_TRUE(written(device).empty());
    EXPECT_GT(sink.samples, 0U);
}

TEST(Keepalive, AWrittenValueIsRewrittenEveryPeriodThroughThePollersConnection) {
    auto device = make_charger();
    asio::io_context io;
    NullSink sink;
    Poller poller(io, charger_site(device.port()), sink);
    poller.start();
    ASSERT_TRUE(write_current(io, poller, "16"));
    const auto since = Clock::now();
    // Four rewrites after the write.
    run_steps(
        io, [&] { return written(device).size() >= 5; }, "four rewrites");
    const auto elapsed = Clock::now() - since;
    const auto values = written(device);
    EXPECT_EQ(count_of(values, 16), values.size());
    // Never more often than the period (late is allowed: the machine may be loaded).
    EXPECT_LE(values.size(), 2 + static_cast<std::size_t>(elapsed / every))
        << "rewrites came faster than every 300 ms";

    // The charger falls back on its own: the next rewrite restores the value.
    device.with_tables([](server::UnitTables& t) {
        const std::uint16_t fallback[] = {6};
        t.set_registers(modbus::RegisterKind::holding, current_register, fallback);
    });
    run_steps(
        io,
        [&] {
            return device.with_tables([](server::UnitTables& t) {
                return t.registers(modbus::RegisterKind::holding, current_register, 1)->front() ==
                       16;
            });
        },
        "the value restored");
    EXPECT_EQ(device.connections(), 1U) << "rewrites must share the poller's one connection";
    EXPECT_FALSE(poller.offline(0));
}

TEST(Keepalive, ANewValueReplacesTheOld) {
    auto device = make_charger();
    asio::io_context io;
    NullSink sink;
    Poller poller(io, charger_site(device.port()), sink);
    poller.start();
    ASSERT_TRUE(write_current(io, poller, "16"));
    run_steps(
        io, [&] { return count_of(written(device), 16) >= 2; }, "a rewrite of 16");
    ASSERT_TRUE(write_current(io, poller, "10"));
    run_steps(
        io, [&] { return count_of(written(device), 10) >= 3; }, "two rewrites of 10");
    const auto values = written(device);
    const auto first_10 = std::find(values.begin(), values.end(), 10);
    EXPECT_EQ(std::count(first_10, values.end(), 16), 0)
        << "16 was written again after 10 replaced it";
}

TEST(Keepalive, ARefusedRewriteIsTriedAgainAndPollingGoesOn) {
    auto device = make_charger();
    // The first write is taken; the two rewrites after it are refused (device busy).
    device.set_write_reply([](const PickyDevice::Write&, unsigned nth) {
        return nth == 1 || nth == 2 ? Reply::refuse : Reply::answer;
    });
    asio::io_context io;
    NullSink sink;
    Poller poller(io, charger_site(device.port()), sink);
    poller.start();
    ASSERT_TRUE(write_current(io, poller, "16"));
    std::size_t reads_at_refusal = 0;
    run_steps(
        io,
        [&] {
            if (reads_at_refusal == 0 && written(device).size() >= 2)
                reads_at_refusal = device.reads().size();
            return written(device).size() >= 5;
        },
        "rewrites after two refused ones");
    const auto writes = device.writes();
    ASSERT_GE(writes.size(), 5U);
    EXPECT_EQ(writes[1].reply, Reply::refuse);
    EXPECT_EQ(writes[2].reply, Reply::refuse);
    EXPECT_EQ(writes[3].reply, Reply::answer);
    EXPECT_EQ(writes[4].reply, Reply::answer);
    for (const auto& w : writes) EXPECT_EQ(w.values, std::vector<std::uint16_t>{16});
    // At least 900 ms passed between the first refusal and the fifth write; the 100 ms poll
    // went on through it.
    EXPECT_GE(device.reads().size(), reads_at_refusal + 3);
    EXPECT_FALSE(poller.offline(0));
}

TEST(Keepalive, RewritesWaitWhileTheDeviceIsOfflineAndResumeWhenItReturns) {
    std::atomic<bool> silent{false};
    PickyDevice device(
        fill_charger,
        [&](const PickyDevice::Read&, unsigned) { return silent ? Reply::ignore : Reply::answer; });
    device.set_write_reply([&](const PickyDevice::Write&, unsigned) {
        return silent ? Reply::ignore : Reply::answer;
    });
    asio::io_context io;
    NullSink sink;
    Poller poller(
        io, charger_site(device.port(), R"({ "offline_after": 1, "backoff_max": "400ms" })"), sink);
    poller.start();
    ASSERT_TRUE(write_current(io, poller, "16"));
    run_steps(
        io, [&] { return written(device).size() >= 2; }, "a rewrite");

    silent = true;
    run_steps(
        io, [&] { return poller.offline(0); }, "the device going offline");
    const auto at_offline = written(device).size();
    const auto until = Clock::now() + 6 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "six periods offline");
    // One rewrite may have been on its way when the device went offline.
    EXPECT_LE(written(device).size(), at_offline + 1)
        << "rewrites went on while the device was offline";

    const auto before_return = written(device).size();
    silent = false;
    run_steps(
        io, [&] { return !poller.offline(0); }, "the device coming back");
    run_steps(
        io, [&] { return written(device).size() >= before_return + 2; },
        "rewrites after the return");
    const auto values = written(device);
    EXPECT_EQ(values.back(), 16);
}

// --- write-only points ("read": false) --------------------------------------------------

constexpr std::uint16_t alive_register = 6000;

// A charger whose alive register (6000) can only be written, like Vestel's: reads that touch
// it are refused, as the real one refuses them.
const std::string alive_profile = R"({ "manufacturer": "Test", "model": "Alive charger", "source": "test",
      "points": [ { "name": "max_current", "address": 10, "type": "uint16", "writable": true, "min": 0, "max": 32 },
                  { "name": "state", "address": 20, "type": "uint16" },
                  { "name": "alive", "address": 6000, "type": "uint16", "writable": true, "read": false,
                    "min": 0, "max": 1 } ] })";

bool touches_alive(const PickyDevice::Read& r) {
    return r.address <= alive_register && alive_register < r.address + r.count;
}

PickyDevice make_alive_charger() {
    return PickyDevice(
        [](server::UnitTables& t) {
            fill_charger(t);
            const std::uint16_t alive[] = {0};  // takes writes; reads of it are refused below
            t.set_registers(modbus::RegisterKind::holding, alive_register, alive);
        },
        [](const PickyDevice::Read& r, unsigned) { return touches_alive(r) ? Reply::refuse : Reply::answer; });
}

std::vector<std::uint16_t> written_to(PickyDevice& device, std::uint16_t address) {
    std::vector<std::uint16_t> out;
    for (const auto& w : device.writes()) {
        if (w.address == address && !w.values.empty()) out.push_back(w.values.front());
    }
    return out;
}

class NamedSink : public SampleSink {
  public:
    void on_samples(std::span<const Sample> s) override {
        for (const auto& x : s) names.insert(*x.point);
    }
    void on_availability(const std::string&, bool) override {}
    std::set<std::string> names;
};

TEST(WriteOnly, AWriteIsNotReadBackAndThePointIsNeverPolled) {
    auto device = make_alive_charger();
    asio::io_context io;
    NamedSink sink;
    Poller poller(io, charger_site(device.port(), "{}", alive_profile), sink);
    poller.start();
    std::optional<WriteOutcome> outcome;
    poller.write("charger", "alive", "1", [&](const WriteOutcome& o) { outcome = o; });
    run_steps(
        io, [&] { return outcome.has_value(); }, "the write to alive");
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->ok) << outcome->error;
    EXPECT_FALSE(outcome->read_back);
    EXPECT_EQ(codec::format_value(outcome->value), "1");
    EXPECT_TRUE(outcome->warning.empty()) << outcome->warning;
    EXPECT_EQ(written_to(device, alive_register), std::vector<std::uint16_t>{1});

    // A readable point beside it is still read back (and polled).
    ASSERT_TRUE(write_current(io, poller, "16"));
    const auto until = Clock::now() + 500ms;
    run_steps(
        io, [&] { return Clock::now() > until; }, "five polls");
    for (const auto& r : device.reads())
        EXPECT_FALSE(touches_alive(r)) << "read " << r.count << " at " << r.address;
    EXPECT_TRUE(sink.names.count("state"));
    EXPECT_TRUE(sink.names.count("max_current"));
    EXPECT_FALSE(sink.names.count("alive")) << "a write-only point has no reading to publish";
    EXPECT_FALSE(poller.offline(0));
}

// --- a fixed keepalive value ("value": 1), written from the start ----------------------

// The alive charger with its alive register kept alive: 1 every `period`.
std::string alive_kept_profile(const std::string& period) {
    std::string text = alive_profile;
    text.insert(text.rfind('}'), R"(, "keepalive": [ { "point": "alive", "every": ")" + period + R"(", "value": 1 } ] )");
    return text;
}

TEST(KeepaliveValue, TheFirstWriteIsAtStartNotAfterAPeriodOrAWrite) {
    // A ten-minute period: a first write that waited for it (or for a value to be written)
    // would not come within the test's 30 s.
    auto device = make_alive_charger();
    asio::io_context io;
    NamedSink sink;
    Poller poller(io, charger_site(device.port(), "{}", alive_kept_profile("10m")), sink);
    poller.start();
    run_steps(
        io, [&] { return !written_to(device, alive_register).empty(); }, "the first alive write");
    EXPECT_EQ(written_to(device, alive_register), std::vector<std::uint16_t>{1});
    EXPECT_TRUE(written(device).empty()) << "nothing else is written";
}

TEST(KeepaliveValue, TheValueIsWrittenEveryPeriodNeverReadAndNotReplacedByAWrite) {
    auto device = make_alive_charger();
    asio::io_context io;
    NamedSink sink;
    Poller poller(io, charger_site(device.port(), "{}", alive_kept_profile("300ms")), sink);
    const auto since = Clock::now();
    poller.start();
    run_steps(
        io, [&] { return written_to(device, alive_register).size() >= 3; }, "three alive writes");
    // A write of another value goes through once; the keepalive goes on writing its own.
    std::optional<WriteOutcome> outcome;
    poller.write("charger", "alive", "0", [&](const WriteOutcome& o) { outcome = o; });
    run_steps(
        io, [&] { return outcome.has_value(); }, "the write of 0");
    EXPECT_TRUE(outcome && outcome->ok);
    run_steps(
        io, [&] { return written_to(device, alive_register).size() >= 6; }, "three more alive writes");
    const auto elapsed = Clock::now() - since;
    auto values = written_to(device, alive_register);
    EXPECT_EQ(values.back(), 1);
    EXPECT_EQ(count_of(values, 0), 1U);
    EXPECT_EQ(count_of(values, 1), values.size() - 1);
    // One at start, then never more often than the period (late is allowed).
    EXPECT_LE(values.size(), 3 + static_cast<std::size_t>(elapsed / every))
        << "alive writes came faster than every 300 ms";
    for (const auto& r : device.reads())
        EXPECT_FALSE(touches_alive(r)) << "read " << r.count << " at " << r.address;
    EXPECT_EQ(device.connections(), 1U) << "keepalive writes share the poller's one connection";
    EXPECT_TRUE(sink.names.count("state"));
    EXPECT_FALSE(poller.offline(0));
}

TEST(KeepaliveValue, WritesWaitWhileTheDeviceIsOfflineAndResumeWhenItReturns) {
    std::atomic<bool> silent{false};
    PickyDevice device(
        [](server::UnitTables& t) {
            fill_charger(t);
            const std::uint16_t alive[] = {0};
            t.set_registers(modbus::RegisterKind::holding, alive_register, alive);
        },
        [&](const PickyDevice::Read& r, unsigned) {
            return silent ? Reply::ignore : touches_alive(r) ? Reply::refuse : Reply::answer;
        });
    device.set_write_reply([&](const PickyDevice::Write&, unsigned) { return silent ? Reply::ignore : Reply::answer; });
    asio::io_context io;
    NamedSink sink;
    Poller poller(io,
                  charger_site(device.port(), R"({ "offline_after": 1, "backoff_max": "400ms" })",
                               alive_kept_profile("300ms")),
                  sink);
    poller.start();
    run_steps(
        io, [&] { return written_to(device, alive_register).size() >= 2; }, "two alive writes");
    silent = true;
    run_steps(
        io, [&] { return poller.offline(0); }, "the device going offline");
    const auto at_offline = written_to(device, alive_register).size();
    const auto until = Clock::now() + 6 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "six periods offline");
    EXPECT_LE(written_to(device, alive_register).size(), at_offline + 1)
        << "alive writes went on while the device was offline";
    const auto before_return = written_to(device, alive_register).size();
    silent = false;
    run_steps(
        io, [&] { return !poller.offline(0); }, "the device coming back");
    run_steps(
        io, [&] { return written_to(device, alive_register).size() >= before_return + 2; },
        "alive writes after the return");
}

// Writes stay the site's decision: a device that does not allow writes to the point gets
// no keepalive writes.
TEST(KeepaliveValue, NothingIsWrittenWhenTheSiteDoesNotAllowTheWrite) {
    auto device = make_alive_charger();
    asio::io_context io;
    NamedSink sink;
    const std::string site_text = R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                  std::to_string(device.port()) + R"(", "timeout": "250ms" } ],
      "devices": [ { "name": "charger", "bus": "lab", "unit": 1, "interval": "100ms", "profile": "./charger.json",
                     "writes": ["max_current"] } ] })";
    Poller poller(io,
                  testing::load_site_files({{"charger.json", alive_kept_profile("100ms")}, {"site.json", site_text}},
                                           "site.json"),
                  sink);
    poller.start();
    const auto until = Clock::now() + 5 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "five periods");
    EXPECT_TRUE(written_to(device, alive_register).empty());
    EXPECT_TRUE(sink.names.count("state"));
}

// --- the site's own "keepalive" for a device ---

// The charger with a slow keepalive (every 5 s) that a site may make faster.
const std::string slow_charger_profile = R"({ "manufacturer": "Test", "model": "Charger", "source": "test",
      "keepalive": [ { "point": "max_current", "every": "5s" } ],
      "points": [ { "name": "max_current", "address": 10, "type": "uint16", "writable": true, "min": 0, "max": 32 },
                  { "name": "state", "address": 20, "type": "uint16" } ] })";

TEST(SiteKeepalive, AShorterPeriodFromTheSiteIsWhatTheDeviceSees) {
    auto device = make_charger();
    asio::io_context io;
    NullSink sink;
    Poller poller(io,
                  charger_site(device.port(), "{}", slow_charger_profile,
                               R"(, "keepalive": [ { "point": "max_current", "every": "200ms" } ])"),
                  sink);
    poller.start();
    ASSERT_TRUE(write_current(io, poller, "16"));
    const auto since = Clock::now();
    run_steps(
        io, [&] { return count_of(written(device), 16) >= 4; }, "three rewrites");
    // The profile's 5 s would have taken 15 s for three rewrites; late ones are allowed.
    EXPECT_LT(Clock::now() - since, 4s) << "the rewrites came at the profile's period, not the site's";
}

// Runs a written 16 for four of the profile's periods and gives what the device took.
std::vector<std::uint16_t> written_with_site_keepalive(const std::string& device_extra) {
    auto device = make_charger();
    asio::io_context io;
    NullSink sink;
    Poller poller(io, charger_site(device.port(), "{}", charger_profile, device_extra), sink);
    poller.start();
    EXPECT_TRUE(write_current(io, poller, "16"));
    const auto until = Clock::now() + 4 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "four periods");
    return written(device);
}

TEST(SiteKeepalive, EveryOffFromTheSiteMeansNoRewrites) {
    const auto values =
        written_with_site_keepalive(R"(, "keepalive": [ { "point": "max_current", "every": "off" } ])");
    EXPECT_EQ(values, std::vector<std::uint16_t>{16}) << "only the write itself, no rewrite";
}

TEST(SiteKeepalive, AnEmptyListFromTheSiteMeansNoRewrites) {
    const auto values = written_with_site_keepalive(R"(, "keepalive": [])");
    EXPECT_EQ(values, std::vector<std::uint16_t>{16}) << "only the write itself, no rewrite";
}

// --- a reload: the old poller hands its kept values to the new one ---

// Writes 16 through a first poller, stops it as a reload does and starts a second one on
// `next_site`, handing it the kept values; gives the writes the device took from the second.
std::vector<std::uint16_t> rewritten_after_reload(PickyDevice& device,
                                                  const std::function<std::shared_ptr<const profile::SiteConfig>()>& next_site) {
    asio::io_context io;
    NullSink sink;
    std::vector<KeptValue> kept;
    {
        Poller before(io, charger_site(device.port()), sink);
        before.start();
        EXPECT_TRUE(write_current(io, before, "16"));
        kept = before.kept_values();
        before.stop();
        io.restart();
        io.poll();
    }
    const auto writes_before = written(device).size();
    Poller after(io, next_site(), sink);
    after.start();
    after.keep_values(kept);
    const auto until = Clock::now() + 4 * every;
    run_steps(
        io, [&] { return Clock::now() > until; }, "four periods after the reload");
    const auto all = written(device);
    return {all.begin() + static_cast<std::ptrdiff_t>(writes_before), all.end()};
}

TEST(KeepaliveReload, AHeldValueIsRewrittenAfterAReloadWithoutANewWrite) {
    auto device = make_charger();
    const auto values = rewritten_after_reload(device, [&] { return charger_site(device.port()); });
    EXPECT_GE(count_of(values, 16), 3U) << "the value written before the reload is kept alive after it";
    EXPECT_EQ(count_of(values, 16), values.size());
}

TEST(KeepaliveReload, AChangedPointDropsTheHeldValue) {
    auto device = make_charger();
    // The same point, now with a scale: 16 would reach the device as another number.
    std::string scaled = charger_profile;
    scaled.replace(scaled.find(R"("type": "uint16", "writable")"), 16, R"("type": "uint16", "scale": 0.1)");
    const auto values = rewritten_after_reload(device, [&] { return charger_site(device.port(), "{}", scaled); });
    EXPECT_TRUE(values.empty()) << "a point that changed is not rewritten with the value held for the old one";
}

}  // namespace
}  // namespace regpoll::poll
