// Samples per second into the SQLite history, measured three ways in one run:
//   writer    the real HistoryWriter end to end: a producer thread calls on_samples the way
//             the poller does (one call per device cycle of 50 points), the writer thread
//             commits once per flush interval (WAL, prepared statements, rows in key order);
//             the clock stops when flush() has committed the last sample. Flat out (the
//             producer as fast as it can: the writer's ceiling), with synchronous=FULL for
//             comparison, and at a steady offered rate (--rate, default 300000/s) to show it
//             keeps up with one commit a second. Also the poller-thread cost per sample.
//   store     the database side alone (HistoryStore::write) for several rows per transaction.
//   naive     the peer: what many small pollers do, one INSERT statement text per sample in its
//             own transaction (autocommit, rollback journal, SQLite's default synchronous=FULL),
//             for a smaller count.
// Figures only: nothing here fails because a machine is slow.
//
//   bench_history [--samples 2000000] [--series 1000] [--naive 1000] [--rate 300000]
//                 [--seconds 10] [--dir /tmp]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include "sink/history_store.hpp"
#include "sink/history_writer.hpp"

namespace {

using namespace regpoll;
using Clock = std::chrono::steady_clock;

struct Options {
    std::size_t samples = 2'000'000;
    std::size_t series = 1000;
    std::size_t naive = 1000;
    double rate = 300'000;  // offered samples/s for the sustained run
    double seconds = 10;
    std::string dir = std::filesystem::temp_directory_path().string();
};

constexpr std::size_t points_per_device = 50;
constexpr std::int64_t start_ms = 1'795'132'800'000;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

class TempFile {
  public:
    TempFile(const std::string& dir, const std::string& name)
        : path_(dir + "/regpoll-bench-" + std::to_string(::getpid()) + "-" + name) {
        remove();
    }
    ~TempFile() { remove(); }
    const std::string& path() const { return path_; }
    std::uintmax_t bytes() const {
        std::error_code ec;
        const auto size = std::filesystem::file_size(path_, ec);
        return ec ? 0 : size;
    }

  private:
    void remove() const {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path_ + suffix);
    }
    std::string path_;
};

// Names and values as the poller produces them: devices of 50 points, polled once a second,
// mostly floats with a few integers.
struct Workload {
    std::vector<std::string> devices;
    std::vector<std::string> points;
    std::string unit = "W";

    explicit Workload(std::size_t series) {
        for (std::size_t d = 0; d < (series + points_per_device - 1) / points_per_device; ++d) {
            devices.push_back("device" + std::to_string(d));
        }
        for (std::size_t p = 0; p < points_per_device; ++p)
            points.push_back("point" + std::to_string(p));
    }
    // Fills `out` with the cycle-th poll of device d.
    void cycle(std::size_t d, std::int64_t cycle, std::vector<poll::Sample>& out) const {
        out.clear();
        for (std::size_t p = 0; p < points.size(); ++p) {
            poll::Sample s;
            s.ts_ms = start_ms + cycle * 1000 + static_cast<std::int64_t>(d);
            s.device = &devices[d];
            s.point = &points[p];
            s.unit = &unit;
            if (p % 10 == 0)
                s.value = std::int64_t{cycle * 7 + static_cast<std::int64_t>(p)};
            else
                s.value = 230.0 + static_cast<double>(
                                      (cycle * 31 + static_cast<std::int64_t>(p * d)) % 1000) /
                                      100.0;
            out.push_back(s);
        }
    }
};

struct WriterResult {
    double seconds = 0;
    double on_samples_seconds = 0;
    std::size_t samples = 0;
    std::uint64_t batches = 0;
    std::size_t queued_max = 0;
    std::uintmax_t bytes = 0;
};

WriterResult bench_writer(const Options& o, sink::Synchronous synchronous,
                          const std::string& name) {
    TempFile file(o.dir, name);
    sink::HistoryConfig config;
    config.path = file.path();
    config.synchronous = synchronous;
    config.queue_warning = 1'000'000'000;
    const Workload work(o.series);
    std::vector<poll::Sample> batch;
    WriterResult r;
    sink::HistoryWriter writer(config);
    const auto start = Clock::now();
    for (std::int64_t cycle = 0; r.samples < o.samples; ++cycle) {
        for (std::size_t d = 0; d < work.devices.size() && r.samples < o.samples; ++d) {
            work.cycle(d, cycle, batch);
            const auto t = Clock::now();
            writer.on_samples(batch);
            r.on_samples_seconds += seconds_since(t);
            r.samples += batch.size();
        }
    }
    writer.flush(std::chrono::minutes(10));
    r.seconds = seconds_since(start);
    const auto stats = writer.stats();
    r.batches = stats.batches;
    r.queued_max = stats.queued_max;
    writer.stop();
    r.bytes = file.bytes();
    return r;
}

// The writer at a steady offered rate, as a poller would load it: does it keep up with one
// commit per flush interval (the queue stays below two intervals of samples)?
WriterResult bench_sustained(const Options& o, double rate) {
    TempFile file(o.dir, "sustained.db");
    sink::HistoryConfig config;
    config.path = file.path();
    config.queue_warning = 1'000'000'000;
    const Workload work(o.series);
    std::vector<poll::Sample> batch;
    WriterResult r;
    sink::HistoryWriter writer(config);
    const auto total = static_cast<std::size_t>(rate * o.seconds);
    const auto start = Clock::now();
    for (std::int64_t cycle = 0; r.samples < total; ++cycle) {
        for (std::size_t d = 0; d < work.devices.size() && r.samples < total; ++d) {
            std::this_thread::sleep_until(
                start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(r.samples) / rate)));
            work.cycle(d, cycle, batch);
            const auto t = Clock::now();
            writer.on_samples(batch);
            r.on_samples_seconds += seconds_since(t);
            r.samples += batch.size();
        }
    }
    writer.flush(std::chrono::minutes(10));
    r.seconds = seconds_since(start);
    const auto stats = writer.stats();
    r.batches = stats.batches;
    r.queued_max = stats.queued_max;
    writer.stop();
    r.bytes = file.bytes();
    return r;
}

// HistoryStore::write alone, `per_transaction` rows at a time.
double bench_store(const Options& o, std::size_t per_transaction) {
    TempFile file(o.dir, "store.db");
    sink::HistoryStore store(file.path(), sink::Synchronous::normal);
    const Workload work(o.series);
    for (std::size_t d = 0; d < work.devices.size(); ++d) {
        for (std::size_t p = 0; p < work.points.size(); ++p) {
            store.define_series(static_cast<sink::SeriesIndex>(d * points_per_device + p),
                                work.devices[d], work.points[p], work.unit);
        }
    }
    sink::RowBatch rows;
    std::vector<poll::Sample> batch;
    std::size_t done = 0;
    double seconds = 0;
    for (std::int64_t cycle = 0; done < o.samples; ++cycle) {
        for (std::size_t d = 0; d < work.devices.size() && done < o.samples; ++d) {
            work.cycle(d, cycle, batch);
            for (std::size_t p = 0; p < batch.size(); ++p) {
                rows.add(static_cast<sink::SeriesIndex>(d * points_per_device + p), batch[p].ts_ms,
                         sink::to_stored(batch[p].value, batch[p].quality));
            }
            done += batch.size();
            if (rows.size() >= per_transaction || done >= o.samples) {
                const auto t = Clock::now();
                store.write(rows, {});
                seconds += seconds_since(t);
                rows.clear();
            }
        }
    }
    return static_cast<double>(done) / seconds;
}

// The peer: one INSERT per sample, each its own transaction, SQL built as text.
double bench_naive(const Options& o) {
    TempFile file(o.dir, "naive.db");
    sqlite3* db = nullptr;
    sqlite3_open(file.path().c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE samples(ts INTEGER, device TEXT, point TEXT, value REAL)",
                 nullptr, nullptr, nullptr);
    const Workload work(o.series);
    std::vector<poll::Sample> batch;
    std::size_t done = 0;
    const auto start = Clock::now();
    for (std::int64_t cycle = 0; done < o.naive; ++cycle) {
        for (std::size_t d = 0; d < work.devices.size() && done < o.naive; ++d) {
            work.cycle(d, cycle, batch);
            for (const auto& s : batch) {
                if (done == o.naive) break;
                const auto value = codec::to_double(s.value).value_or(0);
                const std::string sql = "INSERT INTO samples VALUES(" + std::to_string(s.ts_ms) +
                                        ",'" + *s.device + "','" + *s.point + "'," +
                                        std::to_string(value) + ")";
                if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
                    std::fprintf(stderr, "naive: %s\n", sqlite3_errmsg(db));
                    sqlite3_close(db);
                    return 0;
                }
                ++done;
            }
        }
    }
    const double rate = static_cast<double>(done) / seconds_since(start);
    sqlite3_close(db);
    return rate;
}

void print_writer(const char* label, const WriterResult& r) {
    std::printf("| %-34s | %10zu | %10.0f | %12.0f | %8llu | %10zu | %6.1f |\n", label, r.samples,
                static_cast<double>(r.samples) / r.seconds,
                r.on_samples_seconds * 1e9 / static_cast<double>(r.samples),
                static_cast<unsigned long long>(r.batches), r.queued_max,
                static_cast<double>(r.bytes) / static_cast<double>(r.samples));
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"Samples per second into the SQLite history"};
    app.add_option("--samples", o.samples, "Samples through the writer")->capture_default_str();
    app.add_option("--series", o.series, "Distinct points (devices of 50)")->capture_default_str();
    app.add_option("--naive", o.naive, "Samples for the one-INSERT-per-transaction peer")
        ->capture_default_str();
    app.add_option("--dir", o.dir, "Folder for the database files")->capture_default_str();
    app.add_option("--rate", o.rate, "Offered samples/s in the sustained run")
        ->capture_default_str();
    app.add_option("--seconds", o.seconds, "Length of the sustained run")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    std::printf("SQLite %s, %zu series, files in %s\n\n", sqlite3_libversion(), o.series,
                o.dir.c_str());
    std::printf("| %-34s | %10s | %10s | %12s | %8s | %10s | %6s |\n",
                "history writer (end to end)", "samples", "samples/s", "ns/on_samples", "commits",
                "queue max", "B/row");
    std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(),
                std::string(12, '-').c_str(), std::string(12, '-').c_str(),
                std::string(14, '-').c_str(), std::string(10, '-').c_str(),
                std::string(12, '-').c_str(), std::string(8, '-').c_str());
    print_writer("flat out, synchronous=NORMAL",
                 bench_writer(o, sink::Synchronous::normal, "normal.db"));
    print_writer("flat out, synchronous=FULL", bench_writer(o, sink::Synchronous::full, "full.db"));
    const std::string sustained = "steady " + std::to_string(static_cast<long>(o.rate)) +
                                  "/s offered, " + std::to_string(static_cast<int>(o.seconds)) +
                                  " s";
    print_writer(sustained.c_str(), bench_sustained(o, o.rate));

    std::printf("\n| %-34s | %10s |\n|%s|%s|\n", "store alone, rows per transaction", "samples/s",
                std::string(36, '-').c_str(), std::string(12, '-').c_str());
    for (std::size_t per : {100, 1000, 10'000, 100'000}) {
        std::printf("| %-34zu | %10.0f |\n", per, bench_store(o, per));
    }
    const double naive = bench_naive(o);
    std::printf("\n| %-34s | %10s |\n|%s|%s|\n", "peer: naive poller", "samples/s",
                std::string(36, '-').c_str(), std::string(12, '-').c_str());
    std::printf("| %-34s | %10.0f |\n",
                ("1 INSERT per transaction, " + std::to_string(o.naive)).c_str(), naive);
    return 0;
}
