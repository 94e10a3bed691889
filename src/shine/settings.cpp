#include "shine/settings.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace regpoll::shine {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    const auto* first = s.data() + at;
    auto [end, ec] = std::from_chars(first, first + n, out);
    return ec == std::errc{} && end == first + n;
}

}  // namespace

std::string minutes_text(std::chrono::milliseconds interval) {
    const auto ms = interval.count();
    if (ms % 60000 == 0) return std::to_string(ms / 60000);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(ms) / 60000.0);
    std::string out = buf;
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out;
}

std::optional<std::chrono::milliseconds> parse_minutes_text(std::string_view text) {
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty() || text.size() > 16) return std::nullopt;
    double minutes = 0;
    const std::string s(text);
    std::size_t used = 0;
    try {
        minutes = std::stod(s, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (used != s.size() || !(minutes > 0) || minutes > 1440) return std::nullopt;
    return std::chrono::milliseconds(std::llround(minutes * 60000.0));
}

std::string clock_text(const RecordTime& t) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
    return buf;
}

std::optional<RecordTime> parse_clock_text(std::string_view s) {
    if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        return std::nullopt;
    RecordTime t;
    if (!digits(s, 0, 4, t.year) || !digits(s, 5, 2, t.month) || !digits(s, 8, 2, t.day) ||
        !digits(s, 11, 2, t.hour) || !digits(s, 14, 2, t.minute) || !digits(s, 17, 2, t.second))
        return std::nullopt;
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
        t.second > 59)
        return std::nullopt;
    return t;
}

std::tm clock_tm(const RecordTime& t) {
    std::tm tm{};
    tm.tm_year = t.year - 1900;
    tm.tm_mon = t.month - 1;
    tm.tm_mday = t.day;
    tm.tm_hour = t.hour;
    tm.tm_min = t.minute;
    tm.tm_sec = t.second;
    return tm;
}

std::int64_t clock_seconds(const RecordTime& t) {
    std::tm tm = clock_tm(t);
    return static_cast<std::int64_t>(timegm(&tm));
}

RecordTime clock_from_seconds(std::int64_t seconds) {
    const auto tt = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

}  // namespace regpoll::shine
