#include "sim/sim_time.hpp"

#include <cmath>
#include <ctime>

namespace regpoll::sim {

namespace {
constexpr std::int64_t seconds_per_day = 86400;

std::int64_t local_seconds(SimTime t, std::chrono::seconds offset) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() +
           offset.count();
}

// Floor division, so times before 1970 still land in the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
}  // namespace

double LocalZone::hours(SimTime t) const {
    const double seconds = std::chrono::duration<double>(t.time_since_epoch()).count() +
                           static_cast<double>(utc_offset.count());
    const double in_day = seconds - std::floor(seconds / seconds_per_day) * seconds_per_day;
    return in_day / 3600.0;
}

std::int64_t LocalZone::day(SimTime t) const {
    return floor_div(local_seconds(t, utc_offset), seconds_per_day);
}

LocalZone LocalZone::system() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    if (::localtime_r(&now, &local) == nullptr) return {};
    return LocalZone{std::chrono::seconds(local.tm_gmtoff)};
}

}  // namespace regpoll::sim
