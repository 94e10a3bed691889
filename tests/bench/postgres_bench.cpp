// Samples per second into PostgreSQL, two writers against the same temporary PostgreSQL 15
// server (tests/sink/pg_server.hpp) in one run:
//   copy    the real PostgresWriter end to end: a producer thread calls on_samples the way the
//           poller does (one call per device cycle of 50 points); the writer thread sends a
//           COPY per flush interval (or per max_batch samples). The clock stops when flush()
//           reports the last sample committed.
//   insert  the peer: one INSERT statement per sample (parameters, no prepared plan reuse
//           beyond what the server does), committed once per 1000 samples, as a simple
//           libpq writer does.
// Figures only: nothing here fails because a machine is slow.
//
//   bench_postgres [--samples 1000000] [--insert 20000] [--series 1000]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pg_server.hpp"
#include "sink/history_time.hpp"
#include "sink/pg_connection.hpp"
#include "sink/postgres_schema.hpp"
#include "sink/postgres_writer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace regpoll;

struct SeriesNames {
    std::vector<std::string> devices, points;
    std::string unit = "W";
    explicit SeriesNames(std::size_t series) {
        for (std::size_t i = 0; i < series / 50 + 1; ++i)
            devices.push_back("device" + std::to_string(i));
        for (std::size_t i = 0; i < 50; ++i) points.push_back("point" + std::to_string(i));
    }
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double bench_copy(const std::string& conninfo, const std::string& dir, std::size_t samples,
                  std::size_t series) {
    sink::PostgresConfig config;
    config.conninfo = conninfo;
    config.conninfo_source = "bench";
    config.outbox_path = dir + "/bench-outbox.db";
    config.max_batch = 100'000;
    sink::PostgresWriter writer(config);
    if (!writer.flush(std::chrono::seconds(30))) return 0;  // connected, schema made
    SeriesNames names(series);
    std::vector<poll::Sample> cycle(50);
    const std::int64_t t0 = 1'764'806'400'000;
    const auto start = Clock::now();
    for (std::size_t n = 0; n < samples;) {
        const auto& device = names.devices[(n / 50) % (series / 50)];
        for (std::size_t p = 0; p < 50; ++p, ++n) {
            cycle[p] = {t0 + static_cast<std::int64_t>(n / series), &device, &names.points[p],
                        &names.unit, codec::Value{static_cast<double>(n) * 0.5}};
        }
        writer.on_samples(cycle);
    }
    const double producer = seconds_since(start);
    if (!writer.flush(std::chrono::minutes(5))) std::printf("copy: flush timed out\n");
    const double total = seconds_since(start);
    std::printf(
        "copy:   %zu samples in %.2f s = %.0f samples/s (poller thread: %.0f ns a sample)\n",
        samples, total, static_cast<double>(samples) / total,
        producer * 1e9 / static_cast<double>(samples));
    return static_cast<double>(samples) / total;
}

double bench_insert(const std::string& conninfo, std::size_t samples, std::size_t series) {
    sink::PgConnection db(conninfo);
    // The same table and ids the copy writer made.
    const auto ids = db.query("SELECT id FROM points ORDER BY id LIMIT " + std::to_string(series));
    std::vector<std::string> point_ids;
    for (int i = 0; i < ids.rows(); ++i) point_ids.emplace_back(ids.text(i, 0));
    const std::int64_t t0 = 1'764'806'400'000;
    const auto start = Clock::now();
    db.exec("BEGIN");
    for (std::size_t n = 0; n < samples; ++n) {
        db.query(
            "INSERT INTO samples (point_id, ts, value, text, is_integer) VALUES ($1, $2, $3, NULL, "
            "false)",
            {point_ids[n % point_ids.size()],
             sink::format_time_utc(t0 + static_cast<std::int64_t>(n / series)),
             std::to_string(static_cast<double>(n) * 0.5)});
        if (n % 1000 == 999) db.exec("COMMIT; BEGIN");
    }
    db.exec("COMMIT");
    const double total = seconds_since(start);
    std::printf(
        "insert: %zu samples in %.2f s = %.0f samples/s (one INSERT a sample, a commit per 1000)\n",
        samples, total, static_cast<double>(samples) / total);
    return static_cast<double>(samples) / total;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Samples per second into PostgreSQL: COPY writer against one INSERT a sample"};
    std::size_t samples = 1'000'000, inserts = 20'000, series = 1000;
    app.add_option("--samples", samples, "samples for the COPY writer");
    app.add_option("--insert", inserts, "samples for the INSERT writer");
    app.add_option("--series", series, "distinct device/point series (a multiple of 50)");
    CLI11_PARSE(app, argc, argv);
    series = std::max<std::size_t>(50, series / 50 * 50);
    if (!regpoll::testing::pg_binaries_present()) {
        std::printf("bench_postgres: PostgreSQL 15 binaries missing in %s; nothing measured\n",
                    regpoll::testing::pg_bin.c_str());
        return 0;
    }
    regpoll::testing::PgServer server;
    const auto conninfo = server.create_database("bench");
    std::printf(
        "PostgreSQL 15 on 127.0.0.1:%u (fsync off: the server's disk is not what is measured)\n",
        server.port());
    const double copy = bench_copy(conninfo, server.dir(), samples, series);
    const double insert = bench_insert(conninfo, inserts, series);
    if (insert > 0) std::printf("COPY/INSERT: %.1fx\n", copy / insert);
    return 0;
}
