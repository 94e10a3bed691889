// regpoll sink plugin: every sample as one InfluxDB line-protocol line, to a file, over UDP,
// or over TCP. A template for sink plugins in C++: it uses nothing of regpoll but
// regpoll_plugin.h (and nlohmann/json to read its configuration).
//
//   "plugins": [ { "path": "influxdb",
//                  "config": { "output": "udp://127.0.0.1:8089", "measurement": "regpoll",
//                              "tags": { "site": "roof" }, "precision": "ns",
//                              "availability": true, "max_buffer": 8388608 } } ]
//
// Lines are collected in memory and handed to the output at every flush (regpoll calls it
// every flush_interval) or when 64 KiB are waiting. While the output fails (a TCP reader
// that is down, a full disk), up to max_buffer bytes wait for the next try; past that the
// oldest lines are dropped, counted and logged.
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "line_protocol.hpp"
#include "output.hpp"
#include "regpoll_plugin.h"

namespace {

using Json = nlohmann::json;
constexpr std::size_t send_at = std::size_t{64} * 1024;

struct Sink {
    influxdb::LineFormat format;
    bool availability = true;
    std::size_t max_buffer = std::size_t{8} * 1024 * 1024;
    std::unique_ptr<influxdb::Output> output;
    std::string buffer;
    std::uint64_t skipped = 0;        // NULL, NaN and infinite values
    std::uint64_t dropped_lines = 0;  // pushed out of max_buffer
    void (*log)(void*, int, const char*) = nullptr;
    void* log_context = nullptr;

    void say(int level, const std::string& message) const {
        if (log) log(log_context, level, message.c_str());
    }
};

void set_error(char* error, std::size_t size, const std::string& message) {
    if (size == 0) return;
    std::snprintf(error, size, "%s", message.c_str());
}

// Reads the "config" object; an empty string when it is fine, else what is wrong.
std::string configure(Sink& s, const Json& c, std::string& target) {
    static const std::set<std::string> keys = {"output",    "measurement",  "tags",
                                               "precision", "availability", "max_buffer"};
    if (!c.is_object()) return "the config must be an object";
    for (const auto& [key, value] : c.items()) {
        if (!keys.count(key)) {
            return "unknown key \"" + key +
                   "\" (expected output, measurement, tags, precision, availability, max_buffer)";
        }
    }
    if (!c.contains("output") || !c["output"].is_string() ||
        c["output"].get<std::string>().empty()) {
        return "\"output\" is required: \"udp://host:port\", \"tcp://host:port\" or a file path";
    }
    target = c["output"].get<std::string>();
    if (c.contains("measurement")) {
        if (!c["measurement"].is_string() || c["measurement"].get<std::string>().empty()) {
            return "\"measurement\" must be a non-empty string";
        }
        s.format.measurement = c["measurement"].get<std::string>();
    }
    if (c.contains("tags")) {
        if (!c["tags"].is_object()) return "\"tags\" must be an object of tag names and texts";
        for (const auto& [key, value] : c["tags"].items()) {
            if (!value.is_string() || key.empty())
                return "tag \"" + key + "\" must have a text value";
            if (key == "device" || key == "point" || key == "unit")
                return "tag \"" + key + "\" is set by regpoll";
            s.format.tags[key] = value.get<std::string>();
        }
    }
    if (c.contains("precision")) {
        const std::string p = c["precision"].is_string() ? c["precision"].get<std::string>() : "";
        if (p == "ns")
            s.format.precision = influxdb::Precision::ns;
        else if (p == "us")
            s.format.precision = influxdb::Precision::us;
        else if (p == "ms")
            s.format.precision = influxdb::Precision::ms;
        else if (p == "s")
            s.format.precision = influxdb::Precision::s;
        else
            return "\"precision\" must be \"ns\", \"us\", \"ms\" or \"s\"";
    }
    if (c.contains("availability")) {
        if (!c["availability"].is_boolean()) return "\"availability\" must be true or false";
        s.availability = c["availability"].get<bool>();
    }
    if (c.contains("max_buffer")) {
        if (!c["max_buffer"].is_number_unsigned() || c["max_buffer"].get<std::uint64_t>() < 1024) {
            return "\"max_buffer\" must be a number of bytes, at least 1024";
        }
        s.max_buffer = c["max_buffer"].get<std::size_t>();
    }
    return {};
}

// Hands the buffer to the output; on failure keeps at most max_buffer bytes of whole lines.
bool send(Sink& s, char* error, std::size_t error_size) {
    std::string why;
    if (s.output->send(s.buffer, why)) return true;
    if (s.buffer.size() > s.max_buffer) {
        std::size_t cut = s.buffer.size() - s.max_buffer;
        cut = s.buffer.find('\n', cut > 0 ? cut - 1 : 0);
        cut = cut == std::string::npos ? s.buffer.size() : cut + 1;
        std::uint64_t lines = 0;
        for (std::size_t i = 0; i < cut; ++i) lines += s.buffer[i] == '\n' ? 1 : 0;
        s.buffer.erase(0, cut);
        s.dropped_lines += lines;
        s.say(REGPOLL_LOG_WARN, "buffer full (" + std::to_string(s.max_buffer) +
                                    " bytes): dropped the " + std::to_string(lines) +
                                    " oldest lines (" + std::to_string(s.dropped_lines) +
                                    " so far)");
    }
    set_error(error, error_size,
              why + " (" + std::to_string(s.buffer.size()) + " bytes wait for the next try)");
    return false;
}

void* sink_open(const regpoll_open_args* args, char* error, std::size_t error_size) {
    try {
        auto s = std::make_unique<Sink>();
        s->log = args->log;
        s->log_context = args->log_context;
        const Json config = Json::parse(args->config_json);
        std::string target;
        if (auto why = configure(*s, config, target); !why.empty()) {
            set_error(error, error_size, why);
            return nullptr;
        }
        std::string why;
        s->output = influxdb::open_output(target, args->config_dir, why);
        if (!s->output) {
            set_error(error, error_size, why);
            return nullptr;
        }
        s->say(REGPOLL_LOG_INFO, "writing line protocol to " + s->output->describe());
        return s.release();
    } catch (const std::exception& e) {
        set_error(error, error_size, e.what());
        return nullptr;
    }
}

int sink_write(void* handle, const regpoll_sample* samples, std::size_t count, char* error,
               std::size_t error_size) {
    auto& s = *static_cast<Sink*>(handle);
    try {
        for (std::size_t i = 0; i < count; ++i) {
            if (!influxdb::append_sample(s.buffer, s.format, samples[i])) ++s.skipped;
        }
        if (s.buffer.size() >= send_at) return send(s, error, error_size) ? 0 : 1;
        return 0;
    } catch (const std::exception& e) {
        set_error(error, error_size, e.what());
        return 1;
    }
}

int sink_availability(void* handle, std::int64_t ts_ms, const char* device, int online, char* error,
                      std::size_t error_size) {
    auto& s = *static_cast<Sink*>(handle);
    try {
        if (s.availability)
            influxdb::append_availability(s.buffer, s.format, ts_ms, device, online != 0);
        return 0;
    } catch (const std::exception& e) {
        set_error(error, error_size, e.what());
        return 1;
    }
}

int sink_flush(void* handle, char* error, std::size_t error_size) {
    auto& s = *static_cast<Sink*>(handle);
    try {
        return send(s, error, error_size) ? 0 : 1;
    } catch (const std::exception& e) {
        set_error(error, error_size, e.what());
        return 1;
    }
}

void sink_close(void* handle) {
    auto* s = static_cast<Sink*>(handle);
    if (!s->buffer.empty()) {
        s->say(REGPOLL_LOG_WARN, std::to_string(s->buffer.size()) +
                                     " bytes of lines could not be sent to " +
                                     s->output->describe() + " before closing");
    }
    if (s->skipped > 0) {
        s->say(REGPOLL_LOG_INFO, std::to_string(s->skipped) +
                                     " samples were not written: not available, NaN or infinite "
                                     "values have no line protocol form");
    }
    delete s;
}

const regpoll_sink_ops ops = {sink_open, sink_write, sink_availability, sink_flush, sink_close};

const regpoll_plugin description = {
    REGPOLL_PLUGIN_ABI_VERSION, REGPOLL_PLUGIN_SINK, "influxdb", "1.0", &ops, nullptr, 0,
};

}  // namespace

extern "C" REGPOLL_PLUGIN_EXPORT const regpoll_plugin* regpoll_plugin_describe(void) {
    return &description;
}
