#include "poll/request_metrics.hpp"

#include <algorithm>

#include "modbus/error.hpp"

namespace regpoll::poll {

void RequestMetrics::record(std::chrono::microseconds latency, std::error_code ec,
                            std::int64_t now_ms) {
    ++requests;
    const double seconds = static_cast<double>(latency.count()) / 1e6;
    latency_sum_seconds += seconds;
    const auto bucket = std::lower_bound(bucket_bounds.begin(), bucket_bounds.end(), seconds);
    ++latency_buckets[static_cast<std::size_t>(bucket - bucket_bounds.begin())];
    if (!ec) {
        last_success_ms = now_ms;
        return;
    }
    if (ec == modbus::Errc::timeout) ++timeouts;
    ++errors[error_reason(ec)];
}

std::string error_reason(std::error_code ec) {
    using modbus::Errc;
    if (modbus::is_exception(ec)) return "exception_" + std::to_string(ec.value());
    if (ec.category() != modbus::modbus_category()) return "io";
    switch (static_cast<Errc>(ec.value())) {
        case Errc::timeout:
            return "timeout";
        case Errc::bad_crc:
        case Errc::bad_lrc:
            return "crc";
        case Errc::connection_closed:
        case Errc::refused_by_allow_list:
            return "io";
        case Errc::cancelled:
            return "cancelled";
        default:
            return "frame";
    }
}

}  // namespace regpoll::poll
