#include "sink/history_filter.hpp"

#include <cmath>
#include <limits>

namespace regpoll::sink {
namespace {

using Kind = StoredValue::Kind;

StoredValue from_double(double d) {
    StoredValue v;
    if (std::isnan(d)) {
        v.kind = Kind::text;
        v.text = "nan";
    } else if (std::isinf(d)) {
        v.kind = Kind::text;
        v.text = d > 0 ? "inf" : "-inf";
    } else {
        v.kind = Kind::real;
        v.real = d;
    }
    return v;
}

struct ToStored {
    StoredValue operator()(std::monostate) const { return {}; }
    StoredValue operator()(bool b) const { return {Kind::boolean, b ? 1 : 0, 0, {}}; }
    StoredValue operator()(std::int64_t i) const { return {Kind::integer, i, 0, {}}; }
    StoredValue operator()(std::uint64_t u) const {
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return {Kind::integer, static_cast<std::int64_t>(u), 0, {}};
        }
        return from_double(static_cast<double>(u));
    }
    StoredValue operator()(double d) const { return from_double(d); }
    StoredValue operator()(const std::string& s) const { return {Kind::text, 0, 0, s}; }
};

}  // namespace

StoredValue to_stored(const codec::Value& value, poll::Quality quality) {
    if (quality == poll::Quality::unavailable) return {};
    return std::visit(ToStored{}, value);
}

bool SampleFilter::admit(const StoredValue& value, std::int64_t ts_ms) {
    if (!rule_) return true;
    if (!rule_->store) return false;
    if (!rule_->filters()) return true;
    const bool store =
        !has_last_ || changed(value) ||
        // A clock stepped back is worth a row; otherwise the heartbeat would wait for it.
        ts_ms < last_ts_ || (rule_->heartbeat && ts_ms - last_ts_ >= rule_->heartbeat->count());
    if (store) remember(value, ts_ms);
    return store;
}

bool SampleFilter::changed(const StoredValue& value) const {
    if (value.kind != last_kind_) return true;
    const double deadband = rule_->deadband.value_or(0.0);
    switch (value.kind) {
        case Kind::null:
            return false;
        case Kind::text:
            return value.text != last_text_;
        case Kind::boolean:
            return value.integer != last_integer_;  // a deadband never hides a switch
        case Kind::integer:
            // Compared exactly without a deadband: doubles cannot tell large neighbouring integers
            // apart.
            if (value.integer == last_integer_) return false;
            return deadband <= 0 || std::abs(static_cast<double>(value.integer) -
                                             static_cast<double>(last_integer_)) > deadband;
        case Kind::real:
            if (value.real == last_real_) return false;
            return deadband <= 0 || std::abs(value.real - last_real_) > deadband;
    }
    return true;
}

void SampleFilter::remember(const StoredValue& value, std::int64_t ts_ms) {
    has_last_ = true;
    last_kind_ = value.kind;
    last_integer_ = value.integer;
    last_real_ = value.real;
    if (value.kind == Kind::text) last_text_.assign(value.text);
    last_ts_ = ts_ms;
}

}  // namespace regpoll::sink
