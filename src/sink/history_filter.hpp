#pragma once
// Which samples of one point become history rows: every sample, none, or only changes
// beyond a deadband with a heartbeat. Pure: time is the samples' own timestamps.
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/value.hpp"
#include "poll/sample.hpp"
#include "sink/history_config.hpp"

namespace regpoll::sink {

// A sample's value the way the samples table holds it (see history_schema.cpp).
struct StoredValue {
    enum class Kind : std::uint8_t { null, integer, boolean, real, text };
    Kind kind = Kind::null;
    std::int64_t integer = 0;  // integers, and booleans as 0/1
    double real = 0;           // finite only; uint64 above INT64_MAX comes here
    std::string_view text;     // strings, and "nan", "inf", "-inf"

    bool numeric() const {
        return kind == Kind::integer || kind == Kind::boolean || kind == Kind::real;
    }
    double as_double() const { return kind == Kind::real ? real : static_cast<double>(integer); }
};

// `text` views the value's string (or a literal); it lives as long as `value`.
StoredValue to_stored(const codec::Value& value, poll::Quality quality);

class SampleFilter {
  public:
    // `rule` may be null (store everything); it must outlive the filter.
    explicit SampleFilter(const HistoryRule* rule = nullptr) : rule_(rule) {}

    // Whether this sample is stored; a stored sample becomes the reference for the next.
    bool admit(const StoredValue& value, std::int64_t ts_ms);

  private:
    bool changed(const StoredValue& value) const;
    void remember(const StoredValue& value, std::int64_t ts_ms);

    const HistoryRule* rule_;
    bool has_last_ = false;
    StoredValue::Kind last_kind_ = StoredValue::Kind::null;
    std::int64_t last_integer_ = 0;
    double last_real_ = 0;
    std::string last_text_;
    std::int64_t last_ts_ = 0;
};

}  // namespace regpoll::sink
