#include "plugin/plugin_sink.hpp"

#include <array>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "plugin/plugin_value.hpp"

namespace regpoll::plugin {
namespace {

using Clock = std::chrono::steady_clock;
using Message = std::array<char, 512>;

void host_log(void* context, int level, const char* message) {
    const auto* name = static_cast<const std::string*>(context);
    const auto lvl = level <= REGPOLL_LOG_DEBUG  ? spdlog::level::debug
                     : level == REGPOLL_LOG_INFO ? spdlog::level::info
                     : level == REGPOLL_LOG_WARN ? spdlog::level::warn
                                                 : spdlog::level::err;
    spdlog::log(lvl, "plugin {}: {}", *name, message ? message : "");
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The plugin's message, NUL-terminated whatever it wrote.
const char* text(Message& m) {
    m.back() = '\0';
    return m[0] ? m.data() : "(no message)";
}

}  // namespace

PluginSink::PluginSink(SinkSpec spec, std::size_t max_batch)
    : spec_(std::move(spec)),
      name_(spec_.library->name()),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      ops_(*spec_.library->sink()),
      queue_(spec_.queue_size, spec_.overflow) {
    regpoll_open_args args{};
    args.struct_size = sizeof args;
    args.config_json = spec_.config_json.c_str();
    args.config_dir = spec_.config_dir.c_str();
    args.instance = spec_.instance.c_str();
    args.log = host_log;
    args.log_context = &name_;
    Message message{};
    handle_ = ops_.open(&args, message.data(), message.size());
    if (!handle_) {
        throw std::runtime_error(spec_.instance + ": " + spec_.library->label() +
                                 " could not open: " + text(message));
    }
    thread_ = std::thread([this] { run(); });
}

PluginSink::~PluginSink() {
    stop();
}

void PluginSink::on_samples(std::span<const poll::Sample> samples) {
    std::vector<Entry> entries;
    entries.reserve(samples.size());
    for (const auto& s : samples) {
        entries.push_back(Entry{s.ts_ms, *s.device, *s.point, s.unit ? *s.unit : std::string(),
                                s.value, s.quality, false});
    }
    count_drops(queue_.push(std::move(entries), [this](const Entry& e) { dropping(e); }));
}

void PluginSink::on_availability(const std::string& device, bool online) {
    std::vector<Entry> entries;
    entries.push_back(Entry{now_ms(), device, {}, {}, {}, poll::Quality::good, online});
    count_drops(queue_.push(std::move(entries), [this](const Entry& e) { dropping(e); }));
}

// A line when the first entry is dropped and whenever the total doubles, so a plugin that
// stays too slow does not flood the log.
void PluginSink::count_drops(std::size_t dropped) {
    if (dropped == 0) return;
    const auto total = queue_.counters().dropped;
    if (total < 2 * dropped_logged_) return;
    dropped_logged_ = total;
    spdlog::warn(
        "plugin {}: its queue is full ({} entries): dropped {} of the {} entries ({} so far); "
        "the plugin is slower than polling",
        name_, queue_.capacity(), dropped,
        queue_.overflow() == Overflow::drop_oldest ? "oldest" : "newest", total);
}

void PluginSink::stop(std::chrono::milliseconds timeout) {
    if (!thread_.joinable()) return;
    queue_.close();
    {
        std::unique_lock lock(mutex_);
        if (!finished_cv_.wait_for(lock, timeout, [&] { return finished_; })) give_up_ = true;
    }
    thread_.join();
}

void PluginSink::run() {
    std::vector<Entry> batch;
    auto next_flush = Clock::now() + spec_.flush_interval;
    for (;;) {
        batch.clear();
        const bool more = queue_.pop(batch, max_batch_, next_flush);
        deliver(batch);
        if (Clock::now() >= next_flush) {
            flush();
            next_flush = Clock::now() + spec_.flush_interval;
        }
        if (!more) break;
        if (give_up_) {
            if (const auto n = queue_.discard([this](const Entry& e) { dropping(e); }); n > 0) {
                spdlog::error(
                    "plugin {}: stopping took too long; {} queued samples were not written", name_,
                    n);
            }
        }
    }
    flush();
    ops_.close(handle_);
    const auto s = stats();
    if (s.queue.dropped > 0 || s.failed > 0) spdlog::warn("{}", stats_line());
    std::lock_guard lock(mutex_);
    finished_ = true;
    finished_cv_.notify_all();
}

// Consecutive samples go out in one write(), availability changes one by one, in order.
void PluginSink::deliver(std::vector<Entry>& batch) {
    std::size_t i = 0;
    while (i < batch.size()) {
        if (!batch[i].point.empty()) {
            std::size_t end = i;
            while (end < batch.size() && !batch[end].point.empty()) ++end;
            write_samples(batch, i, end);
            i = end;
            continue;
        }
        Message message{};
        const auto& e = batch[i];
        if (ops_.availability(handle_, e.ts_ms, e.device.c_str(), e.online ? 1 : 0, message.data(),
                              message.size()) != 0) {
            failed("availability", text(message), 0);
        }
        ++i;
    }
}

void PluginSink::write_samples(const std::vector<Entry>& batch, std::size_t begin,
                               std::size_t end) {
    std::vector<regpoll_sample> samples;
    samples.reserve(end - begin);
    for (std::size_t k = begin; k < end; ++k) {
        const auto& e = batch[k];
        samples.push_back(regpoll_sample{
            e.ts_ms, e.device.c_str(), e.point.c_str(), e.unit.c_str(),
            e.quality == poll::Quality::good ? REGPOLL_QUALITY_GOOD : REGPOLL_QUALITY_UNAVAILABLE,
            to_plugin_value(e.value)});
    }
    Message message{};
    if (ops_.write(handle_, samples.data(), samples.size(), message.data(), message.size()) != 0) {
        failed("write", text(message), samples.size());
        return;
    }
    std::lock_guard lock(mutex_);
    stats_.written += samples.size();
}

void PluginSink::flush() {
    Message message{};
    if (ops_.flush(handle_, message.data(), message.size()) != 0) failed("flush", text(message), 0);
}

// Logged when the message changes, and every 100th failure in a row of the same one.
void PluginSink::failed(const char* call, const char* message, std::uint64_t samples) {
    std::lock_guard lock(mutex_);
    ++stats_.failed_calls;
    stats_.failed += samples;
    if (stats_.last_error != message || stats_.failed_calls % 100 == 1) {
        spdlog::error(
            "plugin {}: {} failed{}: {}", name_, call,
            samples ? " (" + std::to_string(samples) + " samples not written)" : std::string(),
            message);
    }
    stats_.last_error = message;
}

PluginSinkStats PluginSink::stats() const {
    PluginSinkStats s;
    {
        std::lock_guard lock(mutex_);
        s = stats_;
    }
    s.queue = queue_.counters();
    s.dropped_samples = dropped_samples_;
    s.dropped_changes = dropped_changes_;
    return s;
}

std::string PluginSink::stats_line() const {
    const auto s = stats();
    std::string line =
        "plugin " + name_ + " (" + spec_.instance + "): " + std::to_string(s.written) +
        " samples written, queue " + std::to_string(s.queue.size) + " (max " +
        std::to_string(s.queue.high_water) + " of " + std::to_string(queue_.capacity()) + "), " +
        std::to_string(s.dropped_samples) + " dropped";
    if (s.dropped_changes > 0) {
        line += " (and " + std::to_string(s.dropped_changes) + " availability change" +
                (s.dropped_changes == 1 ? ")" : "s)");
    }
    if (s.failed_calls > 0) {
        line += ", " + std::to_string(s.failed_calls) + " failed calls (" +
                std::to_string(s.failed) + " samples), last: " + s.last_error;
    }
    return line;
}

}  // namespace regpoll::plugin
