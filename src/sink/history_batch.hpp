#pragma once
// Samples on their way to the database, in a compact form: 24 bytes a row plus the bytes of
// text values, with the series (device, point) as a small integer. Used for the queue
// between the poller and the writer thread and for the rows of one transaction.
#include <bit>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sink/history_filter.hpp"

namespace regpoll::sink {

using SeriesIndex = std::uint32_t;

class RowBatch {
  public:
    struct Row {
        std::int64_t ts = 0;
        std::uint64_t payload = 0;  // integer, bits of the real, or text offset << 32 | size
        SeriesIndex series = 0;
        StoredValue::Kind kind = StoredValue::Kind::null;
    };

    void add(SeriesIndex series, std::int64_t ts, const StoredValue& v) {
        Row row{ts, 0, series, v.kind};
        switch (v.kind) {
            case StoredValue::Kind::null:
                break;
            case StoredValue::Kind::integer:
            case StoredValue::Kind::boolean:
                row.payload = static_cast<std::uint64_t>(v.integer);
                break;
            case StoredValue::Kind::real:
                row.payload = std::bit_cast<std::uint64_t>(v.real);
                break;
            case StoredValue::Kind::text:
                row.payload = static_cast<std::uint64_t>(text_.size()) << 32 |
                              static_cast<std::uint32_t>(v.text.size());
                text_.append(v.text);
                break;
        }
        rows_.push_back(row);
    }
    // Valid until the batch changes.
    StoredValue value(const Row& row) const {
        StoredValue v;
        v.kind = row.kind;
        switch (row.kind) {
            case StoredValue::Kind::null:
                break;
            case StoredValue::Kind::integer:
            case StoredValue::Kind::boolean:
                v.integer = static_cast<std::int64_t>(row.payload);
                break;
            case StoredValue::Kind::real:
                v.real = std::bit_cast<double>(row.payload);
                break;
            case StoredValue::Kind::text:
                v.text =
                    std::string_view(text_).substr(row.payload >> 32, row.payload & 0xffffffffu);
                break;
        }
        return v;
    }
    const std::vector<Row>& rows() const { return rows_; }
    std::size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    void clear() {
        rows_.clear();
        text_.clear();
    }
    void reserve(std::size_t rows) { rows_.reserve(rows); }
    // Removes the first `n` rows (the oldest), and the text only they used.
    void drop_front(std::size_t n) {
        if (n >= rows_.size()) return clear();
        RowBatch rest;
        rest.reserve(rows_.size() - n);
        for (std::size_t i = n; i < rows_.size(); ++i) rest.add(rows_[i].series, rows_[i].ts, value(rows_[i]));
        *this = std::move(rest);
    }
    std::size_t memory_bytes() const { return rows_.capacity() * sizeof(Row) + text_.capacity(); }

  private:
    std::vector<Row> rows_;
    std::string text_;
};

// Per-minute summaries accumulated from samples, merged into rollups_1m on commit.
struct Rollup {
    double min = 0;
    double max = 0;
    double sum = 0;
    std::int64_t count = 0;

    void add(double v) {
        if (count == 0 || v < min) min = v;
        if (count == 0 || v > max) max = v;
        sum += v;
        ++count;
    }
};

struct RollupKey {
    SeriesIndex series;
    std::int64_t minute_ts;  // start of the minute, Unix ms
    bool operator<(const RollupKey& o) const {
        return series != o.series ? series < o.series : minute_ts < o.minute_ts;
    }
};

using RollupMap = std::map<RollupKey, Rollup>;

inline std::int64_t minute_start(std::int64_t ts_ms) {
    const std::int64_t m = 60'000;
    return (ts_ms >= 0 ? ts_ms / m : (ts_ms - m + 1) / m) * m;
}

}  // namespace regpoll::sink
