// /metrics: the Prometheus text exposition format 0.0.4, served from the published view at
// scrape time (never a poll per scrape). Names follow the Prometheus naming guide: a
// regpoll_ prefix, base units, _total on counters, labels with low cardinality.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "web/api.hpp"

namespace regpoll::web {
namespace {

// Label values escape backslash, double quote and line feed.
std::string label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "+Inf" : "-Inf";
    // The shortest text that reads back as the same double: 0.025, not 0.025000000000000001.
    char buffer[32];
    for (int digits = 15; digits <= 17; ++digits) {
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
        if (std::strtod(buffer, nullptr) == x) break;
    }
    return buffer;
}

class Writer {
  public:
    // A metric family's HELP and TYPE lines.
    void family(const char* name, const char* type, const char* help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, const std::string& labels, const std::string& value) {
        out_ += name;
        if (!labels.empty()) out_ += "{" + labels + "}";
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string device_labels(const DeviceView& d) {
    return "device=\"" + label(d.name) + "\",bus=\"" + label(d.bus) + "\"";
}

void device_metrics(Writer& w, const SiteView& view) {
    w.family("regpoll_device_up", "gauge", "1 while the device answers, 0 when it is offline or never answered.");
    for (const auto& d : view.devices) w.sample("regpoll_device_up", device_labels(*d), d->online ? "1" : "0");
    w.family("regpoll_requests_total", "counter", "Modbus requests sent to the device by the poller.");
    for (const auto& d : view.devices)
        w.sample("regpoll_requests_total", device_labels(*d), std::to_string(d->metrics.requests));
    w.family("regpoll_request_errors_total", "counter",
             "Failed requests by reason: timeout, crc, exception_N, frame, io, cancelled.");
    for (const auto& d : view.devices) {
        for (const auto& [reason, n] : d->metrics.errors) {
            w.sample("regpoll_request_errors_total", device_labels(*d) + ",reason=\"" + label(reason) + "\"",
                     std::to_string(n));
        }
    }
    w.family("regpoll_request_timeouts_total", "counter", "Requests the device did not answer in time.");
    for (const auto& d : view.devices)
        w.sample("regpoll_request_timeouts_total", device_labels(*d), std::to_string(d->metrics.timeouts));
    w.family("regpoll_request_duration_seconds", "histogram", "Time from sending a request to its answer or failure.");
    for (const auto& d : view.devices) {
        const auto& m = d->metrics;
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < m.latency_buckets.size(); ++b) {
            cumulative += m.latency_buckets[b];
            const auto le = b < m.bucket_bounds.size() ? number(m.bucket_bounds[b]) : std::string("+Inf");
            w.sample("regpoll_request_duration_seconds_bucket", device_labels(*d) + ",le=\"" + le + "\"",
                     std::to_string(cumulative));
        }
        w.sample("regpoll_request_duration_seconds_sum", device_labels(*d), number(m.latency_sum_seconds));
        w.sample("regpoll_request_duration_seconds_count", device_labels(*d), std::to_string(m.requests));
    }
    w.family("regpoll_last_success_timestamp_seconds", "gauge",
             "Unix time of the device's last answered request; 0 when it never answered.");
    for (const auto& d : view.devices) {
        w.sample("regpoll_last_success_timestamp_seconds", device_labels(*d),
                 number(static_cast<double>(d->metrics.last_success_ms) / 1000.0));
    }
    w.family("regpoll_cycle_overrun_total", "counter",
             "Poll cycles missed because the previous one still ran (the bus cannot keep up).");
    for (const auto& d : view.devices)
        w.sample("regpoll_cycle_overrun_total", device_labels(*d), std::to_string(d->metrics.missed_deadlines));
}

void value_metrics(Writer& w, const SiteView& view) {
    w.family("regpoll_value", "gauge", "The latest value of each numeric point (booleans as 0 and 1).");
    for (const auto& d : view.devices) {
        for (const auto& p : d->points) {
            const auto x = codec::to_double(p.value);
            if (!x || p.ts_ms == 0) continue;  // text, not read yet, or not available
            w.sample("regpoll_value",
                     "device=\"" + label(d->name) + "\",point=\"" + label(p.name) + "\",unit=\"" + label(p.unit) + "\"",
                     number(*x));
        }
    }
}

std::size_t open_fds() {
    std::size_t n = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (const dirent* e = ::readdir(dir)) n += e->d_name[0] != '.';
        ::closedir(dir);
        if (n) --n;  // the directory's own descriptor
    }
    return n;
}

void process_metrics(Writer& w, const SiteView& view) {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    w.family("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
    w.sample("process_cpu_seconds_total", "", number(cpu));
    long pages = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w.sample("process_resident_memory_bytes", "", std::to_string(resident * ::sysconf(_SC_PAGESIZE)));
    w.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w.sample("process_open_fds", "", std::to_string(open_fds()));
    w.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
    w.sample("process_start_time_seconds", "", number(static_cast<double>(view.started_ms) / 1000.0));
}

}  // namespace

std::string metrics_text(const SiteView& view, bool values) {
    Writer w;
    w.family("regpoll_build_info", "gauge", "Always 1; the version of regpoll as a label.");
    w.sample("regpoll_build_info", "version=\"" + label(view.version) + "\"", "1");
    device_metrics(w, view);
    if (values) value_metrics(w, view);
    process_metrics(w, view);
    return w.take();
}

}  // namespace regpoll::web
