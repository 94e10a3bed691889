#include "sink/history_time.hpp"

#include <chrono>
#include <cstdio>
#include <optional>

#include "common/duration.hpp"

namespace regpoll::sink {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool read_number(std::string_view s, std::size_t& pos, int digits, int& out) {
    if (pos + static_cast<std::size_t>(digits) > s.size()) return false;
    out = 0;
    for (int i = 0; i < digits; ++i) {
        const char c = s[pos++];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    return true;
}

bool accept(std::string_view s, std::size_t& pos, char c) {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

// "Z", "+01:00", "-0530", "+02"; sets the offset east of UTC in minutes.
bool read_offset(std::string_view s, std::size_t& pos, int& minutes) {
    minutes = 0;
    if (accept(s, pos, 'Z') || accept(s, pos, 'z')) return true;
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return pos == s.size();
    const int sign = s[pos++] == '-' ? -1 : 1;
    int h = 0, m = 0;
    if (!read_number(s, pos, 2, h) || h > 23) return false;
    if (pos < s.size()) {
        accept(s, pos, ':');
        if (!read_number(s, pos, 2, m) || m > 59) return false;
    }
    minutes = sign * (h * 60 + m);
    return true;
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
    using namespace std::chrono;
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0, offset = 0;
    if (!read_number(s, pos, 4, y) || !accept(s, pos, '-') || !read_number(s, pos, 2, mo) ||
        !accept(s, pos, '-') || !read_number(s, pos, 2, d)) {
        return std::nullopt;
    }
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    if (accept(s, pos, 'T') || accept(s, pos, 't') || accept(s, pos, ' ')) {
        if (!read_number(s, pos, 2, h) || h > 23 || !accept(s, pos, ':') ||
            !read_number(s, pos, 2, mi) || mi > 59) {
            return std::nullopt;
        }
        if (accept(s, pos, ':')) {
            if (!read_number(s, pos, 2, sec) || sec > 59) return std::nullopt;
            if (accept(s, pos, '.') || accept(s, pos, ',')) {
                // Milliseconds from the first three fraction digits; more are allowed and cut.
                int scale = 100, digits = 0;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    ms += (s[pos++] - '0') * scale;
                    scale /= 10;
                    ++digits;
                }
                if (digits == 0) return std::nullopt;
            }
        }
        if (!read_offset(s, pos, offset)) return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    const auto t =
        sys_days(date) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms) - minutes(offset);
    return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Expected<std::int64_t, std::string> parse_time_point(std::string_view text, std::int64_t now_ms) {
    if (text == "now") return now_ms;
    if (auto iso = parse_iso(text)) return *iso;
    if (auto d = parse_duration(text)) return now_ms - d->count();
    return Unexpected{
        "\"" + std::string(text) +
        "\" is not a time (expected a duration back from now such as 1h or 7d, \"now\", or an "
        "ISO 8601 time such as 2026-11-20T10:00:00Z)"};
}

std::string format_time_utc(std::int64_t unix_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> t{milliseconds(unix_ms)};
    const auto day_start = floor<days>(t);
    const year_month_day date{day_start};
    const hh_mm_ss<milliseconds> time{t - day_start};
    char out[40];
    std::snprintf(
        out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
        static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return out;
}

}  // namespace regpoll::sink
