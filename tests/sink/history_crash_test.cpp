// kill -9 in the middle of writing: the database opens, passes PRAGMA integrity_check, and
// holds every sample up to the last flush the child reported, with no gaps.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "history_test_support.hpp"
#include "sink/history_query.hpp"
#include "sink/history_writer.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using testing::SampleMaker;
using testing::SqliteReader;
using testing::TempDir;

// The child: writes samples numbered from `first` without end (value = number, ten points),
// and after each successful flush() reports how many samples it has committed in total.
[[noreturn]] void write_until_killed(const std::string& db, std::int64_t first, int report_fd) {
    HistoryConfig config;
    config.path = db;
    config.flush_interval = 20ms;  // commits also happen on their own, between the flushes
    HistoryWriter writer(config);
    SampleMaker make;
    std::vector<poll::Sample> batch;
    for (std::int64_t n = first, round = 0;; ++round) {
        batch.clear();
        for (int i = 0; i < 100; ++i, ++n) {
            batch.push_back(make.make("plc", "p" + std::to_string(n % 10), n, n));
        }
        writer.on_samples(batch);
        if (round % 20 == 19 && writer.flush()) {
            const std::int64_t through = n;  // samples first..n-1 are committed
            if (::write(report_fd, &through, sizeof through) != sizeof through) ::_exit(3);
        }
        std::this_thread::sleep_for(1ms);
    }
}

// Reads reports until `wanted` arrived (then kills the child) and, after the kill, whatever
// the child still managed to report. Returns the last one.
std::int64_t last_report_after_kill(int fd, pid_t child, int wanted) {
    std::int64_t last = -1;
    int seen = 0;
    bool killed = false;
    for (;;) {
        if (seen >= wanted && !killed) {
            ::kill(child, SIGKILL);
            killed = true;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 30'000) <= 0) {
            ::kill(child, SIGKILL);
            ADD_FAILURE() << "the child stopped reporting";
            break;
        }
        std::int64_t value = 0;
        const auto got = ::read(fd, &value, sizeof value);
        if (got == 0) break;  // the child is gone
        if (got == sizeof value) {
            last = value;
            ++seen;
        }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    return last;
}

TEST(HistoryCrash, KillNineLosesAtMostTheUnflushedBatch) {
    TempDir dir;
    const std::string db = dir.file("crash.db");
    std::int64_t first = 0;
    for (int round = 0; round < 3; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            write_until_killed(db, first, fds[1]);
        }
        ::close(fds[1]);
        const std::int64_t flushed = last_report_after_kill(fds[0], child, 3 + 4 * round);
        ::close(fds[0]);
        ASSERT_GT(flushed, first);

        // What `regpoll history` sees right after the crash, WAL and all.
        std::size_t rows = 0;
        HistoryReader(db).read({}, [&](const HistoryRow&) { ++rows; });

        SqliteReader reader(db);
        EXPECT_EQ(reader.one("PRAGMA integrity_check"), "ok");
        const auto count = reader.count("SELECT count(*) FROM history");
        const auto highest = reader.count("SELECT max(value) FROM history");
        EXPECT_EQ(static_cast<std::size_t>(count), rows);
        EXPECT_GE(count, flushed) << "round " << round << ": a flushed sample is missing";
        EXPECT_EQ(count, highest + 1)
            << "round " << round << ": the samples are not a gapless prefix";
        first = highest + 1;  // the next child continues the numbering in the same file
    }
}

}  // namespace
}  // namespace regpoll::sink
