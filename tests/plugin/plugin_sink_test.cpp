// The queue in front of a sink plugin, with a test plugin whose write() blocks until the
// test opens a gate: the poll loop's side never waits, the bound drops the oldest (or the
// newest) entries and counts them, and stop() writes what is left.
#include "plugin/plugin_sink.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "test_support.hpp"

namespace regpoll::plugin {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using namespace std::chrono_literals;

struct SlowSink {
    std::string dir;
    std::string gate, entered, record;
    std::shared_ptr<const PluginLibrary> library;

    explicit SlowSink(const std::string& name) : dir(temp_dir(name)) {
        gate = dir + "/gate";
        entered = dir + "/entered";
        record = dir + "/record";
        auto loaded = PluginLibrary::load(test_plugin("slow_sink"));
        if (!loaded) throw std::runtime_error(loaded.error());
        library = *loaded;
    }
    SinkSpec spec(std::size_t queue_size, Overflow overflow, const std::string& extra = "") const {
        SinkSpec s;
        s.library = library;
        s.config_json = R"({"entered":")" + entered + R"(","gate":")" + gate + R"(","record":")" +
                        record + "\"" + extra + "}";
        s.config_dir = dir;
        s.instance = dir + "/site.json: /plugins/0";
        s.queue_size = queue_size;
        s.overflow = overflow;
        return s;
    }
    // Waits (bounded) until the plugin is inside its first write().
    void wait_until_blocked() const {
        for (int i = 0; i < 2000 && !fs::exists(entered); ++i) std::this_thread::sleep_for(5ms);
        ASSERT_TRUE(fs::exists(entered)) << "the plugin never started writing";
    }
    void open_gate() const { write_file(gate, ""); }
};

// One sample named p<i> of device d.
struct Samples {
    std::string device = "d";
    std::string unit = "W";
    std::vector<std::string> names;
    explicit Samples(int n) {
        for (int i = 0; i < n; ++i) names.push_back("p" + std::to_string(i));
    }
    poll::Sample at(int i) const {
        poll::Sample s;
        s.ts_ms = 1000 + i;
        s.device = &device;
        s.point = &names[static_cast<std::size_t>(i)];
        s.unit = &unit;
        s.value = std::int64_t{i};
        return s;
    }
};

// Hands p0 to the sink and waits until the plugin is stuck writing it.
void block_on_first(PluginSink& sink, const SlowSink& slow, const Samples& samples) {
    const auto first = samples.at(0);
    sink.on_samples({&first, 1});
    slow.wait_until_blocked();
}

// p<from>..p<to - 1>, one on_samples call each.
void one_by_one(PluginSink& sink, const Samples& samples, int from, int to) {
    for (int i = from; i < to; ++i) {
        const auto s = samples.at(i);
        sink.on_samples({&s, 1});
    }
}

std::string lines(int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i) out += "p" + std::to_string(i) + "\n";
    return out;
}

TEST(PluginSinkQueue, AFullQueueDropsTheOldestAndCountsThem) {
    SlowSink slow("drop-oldest");
    Samples samples(26);
    PluginSink sink(slow.spec(10, Overflow::drop_oldest));
    block_on_first(sink, slow, samples);  // p0 is in the plugin's hands, which do not return
    one_by_one(sink, samples, 1, 26);     // each call returns although the plugin is stuck
    auto stats = sink.stats();
    EXPECT_EQ(stats.queue.pushed, 26U);
    EXPECT_EQ(stats.queue.size, 10U);
    EXPECT_EQ(stats.queue.dropped, 15U);
    EXPECT_EQ(stats.written, 0U);
    slow.open_gate();
    sink.stop();
    stats = sink.stats();
    EXPECT_EQ(stats.written, 11U);
    EXPECT_EQ(stats.queue.dropped, 15U);
    EXPECT_EQ(stats.queue.size, 0U);
    EXPECT_EQ(read_file(slow.record), "p0\n" + lines(16, 26));  // the newest ten survived
    EXPECT_EQ(sink.stats_line(), "plugin slow_sink (" + slow.dir +
                                     "/site.json: /plugins/0): 11 samples written, "
                                     "queue 0 (max 10 of 10), 15 dropped");
}

TEST(PluginSinkQueue, DropNewestKeepsWhatIsAlreadyWaiting) {
    SlowSink slow("drop-newest");
    Samples samples(26);
    PluginSink sink(slow.spec(10, Overflow::drop_newest));
    block_on_first(sink, slow, samples);
    std::vector<poll::Sample> rest;
    for (int i = 1; i < 26; ++i) rest.push_back(samples.at(i));
    sink.on_samples(rest);  // one batch: the part past the bound goes
    EXPECT_EQ(sink.stats().queue.dropped, 15U);
    slow.open_gate();
    sink.stop();
    EXPECT_EQ(read_file(slow.record), lines(0, 11));
}

TEST(PluginSinkQueue, StopWritesWhatIsQueuedAndAvailabilityKeepsItsPlace) {
    SlowSink slow("drain");
    slow.open_gate();
    Samples samples(5);
    PluginSink sink(slow.spec(100, Overflow::drop_oldest));
    std::vector<poll::Sample> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(samples.at(i));
    sink.on_samples(batch);
    sink.on_availability("d", false);
    sink.on_samples(batch);
    sink.stop();
    EXPECT_EQ(sink.stats().written, 10U);
    EXPECT_EQ(read_file(slow.record), lines(0, 5) + "@d offline\n" + lines(0, 5));
    sink.on_samples(batch);  // after stop: counted, never written
    EXPECT_EQ(sink.stats().queue.dropped, 5U);
    sink.stop();  // idempotent
}

TEST(PluginSinkQueue, AStopThatTakesTooLongDropsTheRestAndSaysSo) {
    SlowSink slow("give-up");
    Samples samples(6);
    PluginSink sink(slow.spec(100, Overflow::drop_oldest, R"(,"max_block_ms":1000)"));
    block_on_first(sink, slow, samples);
    one_by_one(sink, samples, 1, 6);
    sink.stop(100ms);  // the gate stays shut: every write() would take a second
    const auto stats = sink.stats();
    EXPECT_EQ(stats.written, 1U);
    EXPECT_EQ(stats.queue.dropped, 5U);
}

}  // namespace
}  // namespace regpoll::plugin
