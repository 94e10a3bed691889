#pragma once
// The live page's events (server-sent events) from the views the poll loop publishes, on
// the web thread: a first event with every device for a new stream, then every period one
// event with only the devices whose view changed since; those carry only their values
// ("values": [[value, ts], …] in the points' order) unless their list of points changed. Each device also carries its
// errors of the last hour, counted here from the minute-by-minute totals it saw. The request
// plan (plan_json) comes with the first event and again whenever it changed (a reload).
#include <cstdint>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "web/site_view.hpp"

namespace regpoll::web {

// Errors in the last hour from a counter that only grows (and restarts at 0 on a reload).
class ErrorWindow {
  public:
    // `total` at `now_ms`; `counted_from_ms`: when the counter last started at 0.
    std::uint64_t errors_in_hour(std::uint64_t total, std::int64_t now_ms, std::int64_t counted_from_ms);

  private:
    std::deque<std::pair<std::int64_t, std::uint64_t>> marks_;  // (time, total), a minute apart
};

class EventFeed {
  public:
    explicit EventFeed(const SiteViewBoard& board) : board_(board) {}

    // The first event of a new stream: the site and every device. "" while nothing is published.
    std::string first_event();
    // The devices changed since the last call, as one event; nullptr when none changed and
    // a keep-alive is not due. Without `listened`, only follows the views.
    std::shared_ptr<const std::string> next(bool listened);

  private:
    struct Followed {
        ErrorWindow window;
        const DeviceView* sent = nullptr;  // the view last sent (or seen)
        std::uint64_t errors_1h = 0;
        std::size_t points_sent = SIZE_MAX;  // how many points the streams know it by; none yet
        std::shared_ptr<const PlanView> plan_sent;  // the plan the streams have (kept alive: compared by address)
    };
    std::string event(const SiteView& view, bool all);

    const SiteViewBoard& board_;
    std::unordered_map<std::string, Followed> followed_;
    std::shared_ptr<const SiteView> last_;  // keeps the views `sent` points into
    std::int64_t last_event_ms_ = 0;
    std::shared_ptr<const SiteView> first_view_;  // the view first_text_ was made of
    std::string first_text_;
};

}  // namespace regpoll::web
