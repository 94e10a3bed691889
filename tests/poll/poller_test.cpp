// Component tests of the poller against regpoll's own TCP server on loopback, in the same
// process: the order of work in a cycle, and a device that rejects part of a block. The
// server runs on a thread and io_context of its own, so it takes up requests while a
// poller handler is still running, as a device would.
#include "poll/poller.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "profile/site_config.hpp"
#include "picky_device.hpp"
#include "site_files.hpp"
#include "server_thread.hpp"

namespace regpoll::poll {
namespace {

using testing::PickyDevice;
using testing::ServerThread;

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using modbus::RegisterKind;

std::shared_ptr<const profile::SiteConfig> load_config(const std::string& name, const std::string& text) {
    return testing::load_site_files({{name, text}}, name);
}

class CallbackSink : public SampleSink {
  public:
    std::function<void(std::span<const Sample>)> samples;
    void on_samples(std::span<const Sample> s) override { samples(s); }
    void on_availability(const std::string&, bool) override {}
};

std::string site(std::uint16_t port, const std::string& device_fields, const std::string& points) {
    return R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" + std::to_string(port) +
           R"(", "timeout": "2s" } ],
      "devices": [ { "name": "meter", "bus": "lab", "unit": 1, )" +
           device_fields + R"(, "points": [ )" + points + R"( ] } ] })";
}

std::int64_t int_value(const Sample& s) {
    const auto* v = std::get_if<std::int64_t>(&s.value);
    return v ? *v : -1000000;
}

// Runs `io` until `done` is set or 20 s have passed (a hung poller fails, never blocks).
void run_until(asio::io_context& io, const std::atomic<bool>& done) {
    asio::steady_timer guard(io);
    guard.expires_after(20s);
    guard.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) io.stop();
    });
    io.run();
    EXPECT_TRUE(done.load()) << "the poller did not get there within 20 s";
}

// Interval 0: the next request is on its way before this cycle's samples reach the sink,
// so a device polled back to back never waits for our decoding and publishing.
TEST(Poller, ContinuousPollingSendsTheNextRequestBeforeHandingOnTheSamples) {
    ServerThread device([](server::UnitTables& t) {
        const std::uint16_t values[] = {7, 0xFFFD};
        t.set_registers(RegisterKind::holding, 100, values);
    });
    auto config = load_config("site.json", site(device.port(), R"("interval": "0s")",
                                                R"({ "name": "a", "address": 100, "type": "int16" },
                                                   { "name": "b", "address": 101, "type": "int16" })"));
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    int cycles = 0;
    int next_request_seen = 0;
    sink.samples = [&](std::span<const Sample> samples) {
        ++cycles;
        ASSERT_EQ(samples.size(), 2u);
        EXPECT_EQ(*samples[0].point, "a");
        EXPECT_EQ(int_value(samples[0]), 7);
        EXPECT_EQ(*samples[1].point, "b");
        EXPECT_EQ(int_value(samples[1]), -3);
        // One request per cycle: cycle n's samples come after n requests; the next one
        // must already be out (the server takes it up on its own thread).
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (device.requests() < static_cast<std::uint64_t>(cycles) + 1 &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
        if (device.requests() >= static_cast<std::uint64_t>(cycles) + 1) ++next_request_seen;
        if (cycles == 20) {
            done = true;
            io.stop();
        }
    };
    Poller poller(io, config, sink);
    poller.start();
    run_until(io, done);
    EXPECT_EQ(cycles, 20);
    EXPECT_EQ(next_request_seen, 20);
}

// Regression: when a device rejected one block and another block of the same cycle was
// read, the split block's new layout was applied before that cycle was decoded, so its
// data was read through the wrong blocks: a value of register 200 came out as point p102
// (and p200 read past the end of the cycle's data).
TEST(Poller, ACycleWithARejectedBlockIsDecodedWithTheLayoutItWasReadWith) {
    ServerThread device([](server::UnitTables& t) {
        const std::uint16_t r100[] = {11};
        const std::uint16_t r102[] = {22};
        const std::uint16_t r200[] = {33};
        t.set_registers(RegisterKind::holding, 100, r100);  // 101 is not mapped:
        t.set_registers(RegisterKind::holding, 102, r102);  // a read of 100..102 is refused
        t.set_registers(RegisterKind::holding, 200, r200);
    });
    auto config = load_config("site.json",
                              site(device.port(), R"("interval": "0s", "limits": { "max_gap": 1 })",
                                   R"({ "name": "p100", "address": 100, "type": "int16" },
                                                   { "name": "p102", "address": 102, "type": "int16" },
                                                   { "name": "p200", "address": 200, "type": "int16" })"));
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    const std::map<std::string, std::int64_t> expected{{"p100", 11}, {"p102", 22}, {"p200", 33}};
    std::vector<std::vector<std::string>> cycles;
    sink.samples = [&](std::span<const Sample> samples) {
        auto& names = cycles.emplace_back();
        for (const auto& s : samples) {
            names.push_back(*s.point);
            EXPECT_EQ(int_value(s), expected.at(*s.point))
                << "point " << *s.point << " in cycle " << cycles.size();
        }
        if (cycles.size() == 3) {
            done = true;
            io.stop();
        }
    };
    Poller poller(io, config, sink);
    poller.start();
    run_until(io, done);
    ASSERT_EQ(cycles.size(), 3u);
    // First cycle: the block 100..102 was refused, 200 was read; then both halves work.
    EXPECT_EQ(cycles[0], (std::vector<std::string>{"p200"}));
    EXPECT_EQ(cycles[1], (std::vector<std::string>{"p100", "p102", "p200"}));
    EXPECT_EQ(cycles[2], (std::vector<std::string>{"p100", "p102", "p200"}));
}

// Devices of one profile share one read plan; a device that learns a layout of its own (a
// register it lacks) changes its own plan only. Two inverters of one model: "old" has no
// register 101 (a firmware without it), "new" has both. "old" gets 100+2 refused, splits it,
// gets 101 refused and stops polling p101; "new" keeps reading p101 every cycle.
TEST(Poller, ADeviceThatLearnsALayoutChangesItsOwnPlanNotItsProfileMates) {
    ServerThread old_fw([](server::UnitTables& t) {
        const std::uint16_t r100[] = {11};
        t.set_registers(RegisterKind::holding, 100, r100);
    });
    ServerThread new_fw([](server::UnitTables& t) {
        const std::uint16_t r100[] = {21, 22};
        t.set_registers(RegisterKind::holding, 100, r100);
    });
    auto bus = [](const char* name, std::uint16_t port) {
        return std::string(R"({ "name": ")") + name + R"(", "uri": "tcp://127.0.0.1:)" + std::to_string(port) +
               R"(", "timeout": "2s" })";
    };
    auto config = testing::load_site_files(
        {{"inverter.json", R"({ "manufacturer": "test", "model": "inverter", "points": [
            { "name": "p100", "address": 100, "type": "int16" },
            { "name": "p101", "address": 101, "type": "int16" } ] })"},
         {"site.json", R"({ "buses": [ )" + bus("a", old_fw.port()) + ", " + bus("b", new_fw.port()) + R"( ],
            "devices": [
              { "name": "old", "bus": "a", "unit": 1, "interval": "20ms", "profile": "./inverter.json" },
              { "name": "new", "bus": "b", "unit": 1, "interval": "20ms", "profile": "./inverter.json" } ] })"}},
        "site.json");
    ASSERT_TRUE(config->devices[0].points.shares_with(config->devices[1].points));
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    std::map<std::string, std::vector<std::vector<std::string>>> cycles;  // device -> points of each cycle
    sink.samples = [&](std::span<const Sample> samples) {
        if (samples.empty()) return;
        auto& names = cycles[*samples.front().device].emplace_back();
        for (const auto& s : samples) names.push_back(*s.point);
        if (cycles["old"].size() >= 4 && cycles["new"].size() >= 4) {
            done = true;
            io.stop();
        }
    };
    Poller poller(io, config, sink);
    poller.start();
    run_until(io, done);
    const std::vector<std::string> both{"p100", "p101"};
    for (const auto& c : cycles["new"]) EXPECT_EQ(c, both) << "a cycle of \"new\"";
    ASSERT_GE(cycles["old"].size(), 4u);
    // "old": the first cycle with samples has p100 alone (100+2 refused, split, 101 refused).
    for (const auto& c : cycles["old"]) EXPECT_EQ(c, std::vector<std::string>{"p100"}) << "a cycle of \"old\"";
    EXPECT_GE(new_fw.requests(), 4u);
}

// A device with w = 1234 at 100 and its scale factor `sf` at 110; the site polls w at
// `interval` and w_sf hourly.
struct ScaledDevice {
    explicit ScaledDevice(std::uint16_t sf)
        : device([sf](server::UnitTables& t) {
              const std::uint16_t w[] = {1234};
              const std::uint16_t f[] = {sf};
              t.set_registers(RegisterKind::holding, 100, w);
              t.set_registers(RegisterKind::holding, 110, f);
          }) {}
    std::shared_ptr<const profile::SiteConfig> config(const std::string& interval) {
        return load_config("site.json", site(device.port(), R"("interval": ")" + interval + "\"",
                                             R"({ "name": "w", "address": 100, "type": "int16", "scale_register": "w_sf" },
                                                { "name": "w_sf", "address": 110, "type": "int16", "interval": "1h" })"));
    }
    ServerThread device;
};

// A scale factor polled at a slower interval than the point it scales (how `discover --out`
// writes SunSpec's static scale factors) is read once, before the first cycle of the point,
// and kept: every sample is scaled, and the device sees one read of it, not one per cycle.
TEST(Poller, ASlowerScaleFactorIsReadOnceAndKeptForTheFasterPoints) {
    ScaledDevice scaled_device(0xFFFF);  // -1
    auto& device = scaled_device.device;
    auto config = scaled_device.config("20ms");
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    int scaled = 0;
    int sf_samples = 0;
    sink.samples = [&](std::span<const Sample> samples) {
        for (const auto& s : samples) {
            if (*s.point == "w_sf") {
                ++sf_samples;
                EXPECT_EQ(int_value(s), -1);
                continue;
            }
            ASSERT_EQ(*s.point, "w");
            const auto* v = std::get_if<double>(&s.value);
            ASSERT_NE(v, nullptr) << "w came without its scale factor";
            EXPECT_DOUBLE_EQ(*v, 123.4);
            if (++scaled == 10) {
                done = true;
                io.stop();
            }
        }
    };
    Poller poller(io, config, sink);
    poller.start();
    run_until(io, done);
    EXPECT_EQ(sf_samples, 1);
    // Ten cycles of w, one read of w_sf (and perhaps an eleventh w read under way).
    EXPECT_GE(device.requests(), 11u);
    EXPECT_LE(device.requests(), 12u);
}

// With --once every group reads the scale factors it needs itself: there is no earlier cycle.
TEST(Poller, OnceReadsASlowerScaleFactorWithThePoint) {
    ScaledDevice scaled_device(2);
    auto config = scaled_device.config("1s");
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    std::optional<double> w;
    sink.samples = [&](std::span<const Sample> samples) {
        for (const auto& s : samples) {
            if (*s.point == "w") {
                if (const auto* v = std::get_if<double>(&s.value)) w = *v;
            }
        }
    };
    PollerOptions options;
    options.once = true;
    options.on_done = [&](bool) {
        done = true;
        io.stop();
    };
    Poller poller(io, config, sink, options);
    poller.start();
    run_until(io, done);
    ASSERT_TRUE(w.has_value());
    EXPECT_DOUBLE_EQ(*w, 123400.0);
}

// Three points in two blocks (100+1 and 200+2), polled every 20 ms with a 200 ms timeout.
std::string two_blocks_site(std::uint16_t port) {
    return R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" + std::to_string(port) +
           R"(", "timeout": "200ms" } ],
      "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "interval": "20ms", "points": [
        { "name": "p100", "address": 100, "type": "int16" },
        { "name": "p200", "address": 200, "type": "int16" },
        { "name": "p201", "address": 201, "type": "int16" } ] } ] })";
}

void fill_two_blocks(server::UnitTables& t) {
    const std::uint16_t r100[] = {11};
    const std::uint16_t r200[] = {22, 33};
    t.set_registers(RegisterKind::holding, 100, r100);
    t.set_registers(RegisterKind::holding, 200, r200);
}

// Polls until `cycles` cycles delivered p200 (or 20 s passed); the poller's stats lines.
std::vector<std::string> poll_until_p200(std::uint16_t port, int cycles) {
    auto config = load_config("site.json", two_blocks_site(port));
    asio::io_context io;
    CallbackSink sink;
    std::atomic<bool> done{false};
    int seen = 0;
    sink.samples = [&](std::span<const Sample> samples) {
        for (const auto& s : samples) {
            if (*s.point != "p200") continue;
            EXPECT_EQ(int_value(s), 22);
            if (++seen == cycles) {
                done = true;
                io.stop();
            }
        }
    };
    Poller poller(io, config, sink);
    poller.start();
    run_until(io, done);
    return poller.take_stats_lines();
}

// From libmodbus's test suite: one timeout of a block while the device's other reads work
// may be another device's late answer on the bus. The block stays whole.
TEST(Poller, ALoneTimeoutDoesNotSplitABlock) {
    PickyDevice device(fill_two_blocks, [](const PickyDevice::Read& r, unsigned nth) {
        const bool first = r.address == 200 && r.count == 2 && nth == 0;  // the first read of 200+2 only
        return first ? PickyDevice::Reply::ignore : PickyDevice::Reply::answer;
    });
    poll_until_p200(device.port(), 5);
    for (const auto& r : device.reads()) {
        EXPECT_FALSE(r.address >= 200 && r.count == 1) << "block 200+2 was split after one timeout";
    }
}

// A block that keeps timing out while the other reads work is split (a device that cannot
// read that many registers at once): after split_after_lone_timeouts cycles, not the first.
TEST(Poller, ABlockThatKeepsTimingOutIsSplit) {
    PickyDevice device(fill_two_blocks, [](const PickyDevice::Read& r, unsigned) {
        const bool whole = r.address == 200 && r.count == 2;  // never answers a read of 200+2
        return whole ? PickyDevice::Reply::ignore : PickyDevice::Reply::answer;
    });
    poll_until_p200(device.port(), 3);
    std::size_t whole = 0;
    bool split = false;
    for (const auto& r : device.reads()) {
        if (r.address == 200 && r.count == 2) ++whole;
        if (r.address == 200 && r.count == 1) split = true;
    }
    EXPECT_TRUE(split);
    EXPECT_EQ(whole, 3U);
}

// From libmodbus's test suite: a reply with another transaction id was reported only as a
// timeout. It is discarded (never taken for the answer), counted and said.
TEST(Poller, AReplyWithAnotherTransactionIdIsDiscardedAndCounted) {
    PickyDevice device(fill_two_blocks, [](const PickyDevice::Read& r, unsigned nth) {
        const bool first = r.address == 200 && nth == 0;
        return first ? PickyDevice::Reply::wrong_id : PickyDevice::Reply::answer;
    });
    const auto lines = poll_until_p200(device.port(), 3);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("1 timeouts (1 stray replies discarded)"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace regpoll::poll
