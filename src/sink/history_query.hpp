#pragma once
// Reading the history back (regpoll history): rows of the `history` view filtered by device,
// point and time, in time order. Opens the database read-only; a running writer is fine.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sink/history_sqlite.hpp"

namespace regpoll::sink {

struct HistorySelection {
    std::vector<std::string>
        devices;  // glob patterns (*, ?, [..]; SQLite GLOB, case-sensitive); empty = all
    std::vector<std::string> points;
    std::optional<std::int64_t> since_ms;  // inclusive, Unix ms
    std::optional<std::int64_t> until_ms;  // exclusive
};

struct HistoryRow {
    enum class Type { null, integer, real };
    std::int64_t ts = 0;
    std::string_view device;
    std::string_view point;
    Type type = Type::null;
    std::int64_t integer = 0;
    double real = 0;
    std::optional<std::string_view> text;
    std::string_view unit;
};

// The file is missing, unreadable or not a regpoll history; what() says which.
class HistoryOpenError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class HistoryReader {
  public:
    explicit HistoryReader(const std::string& path);  // throws HistoryOpenError

    // Calls `on_row` for each selected row, ordered by time, then device and point. The
    // views in the row are valid during the call. Returns the number of rows.
    std::size_t read(const HistorySelection& selection,
                     const std::function<void(const HistoryRow&)>& on_row);

  private:
    Database db_;
};

}  // namespace regpoll::sink
