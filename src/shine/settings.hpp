#pragma once
// The text of the two datalogger settings regpoll reads and writes (config items 4 and 31;
// values are ASCII on the wire): the upload interval in minutes, and the logger's local
// clock as "YYYY-MM-DD HH:MM:SS".
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "shine/records.hpp"

namespace regpoll::shine {

// Whole minutes as sticks write them ("5"); shorter or uneven intervals as decimal minutes
// with up to four decimals ("0.5", "0.0167"), which some firmware takes (reference §3).
std::string minutes_text(std::chrono::milliseconds interval);
// "5", "0.5": a positive number of minutes. Nothing for anything else.
std::optional<std::chrono::milliseconds> parse_minutes_text(std::string_view text);

std::string clock_text(const RecordTime& t);
// Exactly "YYYY-MM-DD HH:MM:SS" with fields in range; nothing otherwise.
std::optional<RecordTime> parse_clock_text(std::string_view text);

// A local clock reading as seconds since 1970 in that same clock (no zone applied), and back:
// the difference of two such numbers is the difference of the clocks.
std::int64_t clock_seconds(const RecordTime& t);
// The reading's fields in a std::tm (for timegm / mktime).
std::tm clock_tm(const RecordTime& t);
RecordTime clock_from_seconds(std::int64_t seconds);

}  // namespace regpoll::shine
