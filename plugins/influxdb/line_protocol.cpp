#include "line_protocol.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace influxdb {
namespace {

std::string escaped(const std::string& s, const char* special) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '\n' || c == '\r') {
            out += ' ';
            continue;
        }
        for (const char* p = special; *p; ++p) {
            if (c == *p) {
                out += '\\';
                break;
            }
        }
        out += c;
    }
    return out;
}

// device, point, unit (when there is one) and the configured tags, sorted by key.
void append_tags(std::string& out, const LineFormat& f, const char* device, const char* point,
                 const char* unit) {
    std::map<std::string, std::string> tags = f.tags;
    tags["device"] = device;
    if (point) tags["point"] = point;
    if (unit && *unit) tags["unit"] = unit;
    for (const auto& [key, value] : tags) {
        if (value.empty()) continue;  // line protocol has no empty tag values
        out += ',';
        out += escape_tag(key);
        out += '=';
        out += escape_tag(value);
    }
}

bool append_value(std::string& out, const regpoll_value& v) {
    char buf[64];
    switch (v.kind) {
        case REGPOLL_VALUE_BOOL:
            out += v.as.boolean ? "true" : "false";
            return true;
        case REGPOLL_VALUE_INT: {
            auto r = std::to_chars(buf, buf + sizeof buf, v.as.i);
            out.append(buf, r.ptr);
            out += 'i';
            return true;
        }
        case REGPOLL_VALUE_UINT: {
            // Integers that fit int64 stay of InfluxDB's integer type; larger ones need the
            // unsigned type (InfluxDB 2.x, or 1.8 with unsigned support).
            auto r = std::to_chars(buf, buf + sizeof buf, v.as.u);
            out.append(buf, r.ptr);
            out += v.as.u <= static_cast<std::uint64_t>(INT64_MAX) ? 'i' : 'u';
            return true;
        }
        case REGPOLL_VALUE_DOUBLE: {
            if (!std::isfinite(v.as.d)) return false;
            // The shortest text that reads back as the same double: 230.5, 0.1, 1e+20.
            auto r = std::to_chars(buf, buf + sizeof buf, v.as.d);
            out.append(buf, r.ptr);
            return true;
        }
        case REGPOLL_VALUE_STRING:
            out += quote_string(v.as.string.data, v.as.string.size);
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string escape_measurement(const std::string& s) {
    return escaped(s, ", ");
}

std::string escape_tag(const std::string& s) {
    return escaped(s, ",= ");
}

std::string quote_string(const char* data, std::size_t size) {
    std::string out = "\"";
    for (std::size_t i = 0; i < size; ++i) {
        const char c = data[i];
        if (c == '"' || c == '\\') out += '\\';
        out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + '"';
}

std::string timestamp(std::int64_t ts_ms, Precision precision) {
    switch (precision) {
        case Precision::ns:
            return std::to_string(ts_ms * 1'000'000);
        case Precision::us:
            return std::to_string(ts_ms * 1'000);
        case Precision::ms:
            return std::to_string(ts_ms);
        case Precision::s:
            return std::to_string(ts_ms >= 0 ? ts_ms / 1000 : -((-ts_ms + 999) / 1000));
    }
    return std::to_string(ts_ms);
}

bool append_sample(std::string& out, const LineFormat& format, const regpoll_sample& s) {
    std::string line = escape_measurement(format.measurement);
    append_tags(line, format, s.device, s.point, s.unit);
    line += " value=";
    if (!append_value(line, s.value)) return false;
    line += ' ';
    line += timestamp(s.ts_ms, format.precision);
    line += '\n';
    out += line;
    return true;
}

void append_availability(std::string& out, const LineFormat& format, std::int64_t ts_ms,
                         const char* device, bool online) {
    out += escape_measurement(format.measurement + "_availability");
    append_tags(out, format, device, nullptr, nullptr);
    out += online ? " online=true " : " online=false ";
    out += timestamp(ts_ms, format.precision);
    out += '\n';
}

}  // namespace influxdb
