#include "web/event_feed.hpp"

#include "poll/value_json.hpp"
#include "web/api.hpp"

namespace regpoll::web {
namespace {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t hour_ms = 3'600'000;
// A comment line that long-lived proxies and the browser see as life on a quiet stream.
constexpr std::int64_t keep_alive_ms = 15'000;

std::uint64_t error_total(const DeviceView& d) {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : d.metrics.errors) n += count;
    return n;
}

// [value, ts] per point in the configuration's order, plus the quality when it is not
// "good" (and not "unread", which ts 0 says): about a third of the full form's size.
nlohmann::ordered_json compact_values(const DeviceView& d) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& p : d.points) {
        auto v = nlohmann::ordered_json::array({poll::value_to_json(p.value), p.ts_ms});
        if (p.ts_ms && p.quality != poll::Quality::good) v.push_back(poll::quality_name(p.quality));
        list.push_back(std::move(v));
    }
    return list;
}

}  // namespace

std::uint64_t ErrorWindow::errors_in_hour(std::uint64_t total, std::int64_t now_ms, std::int64_t counted_from_ms) {
    if (!marks_.empty() && total < marks_.back().second) marks_.clear();  // a reload restarted the counter
    if (marks_.empty() || now_ms - marks_.back().first >= minute_ms) marks_.emplace_back(now_ms, total);
    while (marks_.size() > 1 && marks_[1].first <= now_ms - hour_ms) marks_.pop_front();
    if (counted_from_ms >= now_ms - hour_ms) return total;  // every error counted is in the hour
    return total - marks_.front().second;
}

std::string EventFeed::event(const SiteView& view, bool all) {
    using Json = nlohmann::ordered_json;
    Json devices = Json::array();
    const auto now = unix_now_ms();
    bool plan_changed = all;  // a reload makes every device a new plan
    for (const auto& d : view.devices) {
        auto& f = followed_[d->name];
        if (f.plan_sent != d->plan) plan_changed = true;
        f.plan_sent = d->plan;
    }
    for (const auto& d : view.devices) {
        auto& f = followed_[d->name];
        const auto errors = f.window.errors_in_hour(error_total(*d), now, view.started_ms);
        if (!all && f.sent == d.get() && f.errors_1h == errors) continue;
        // Updates of a device whose points the page already has carry only their values.
        const bool compact = !all && f.points_sent == d->points.size();
        auto j = device_json(*d, !compact);
        if (compact) j["values"] = compact_values(*d);
        else f.points_sent = d->points.size();
        j["errors_1h"] = errors;
        devices.push_back(std::move(j));
        f.errors_1h = errors;
    }
    if (!all && devices.empty()) return {};
    Json site{{"version", view.version},
              {"config", view.config_file},
              {"polling", view.polling},
              {"started_ms", view.started_ms},
              {"published_ms", view.published_ms}};
    Json e{{"site", std::move(site)}, {"full", all}, {"devices", std::move(devices)}};
    if (plan_changed) e["plan"] = plan_json(view);
    // JSON text has no line breaks, so one data line holds the whole event.
    return "data: " + e.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

std::string EventFeed::first_event() {
    auto view = board_.take();
    if (!view) return {};
    // Pages opened together (a restart of regpoll reconnects them all) share one text.
    if (view != first_view_) {
        first_text_ = "retry: 2000\n" + event(*view, true);
        first_view_ = std::move(view);
    }
    return first_text_;
}

std::shared_ptr<const std::string> EventFeed::next(bool listened) {
    auto view = board_.take();
    if (!view) return nullptr;
    std::string text;
    if (listened) {
        text = event(*view, false);
    } else {
        const auto now = unix_now_ms();
        for (const auto& d : view->devices) {
            auto& f = followed_[d->name];
            f.errors_1h = f.window.errors_in_hour(error_total(*d), now, view->started_ms);
        }
    }
    for (const auto& d : view->devices) followed_[d->name].sent = d.get();
    last_ = std::move(view);
    const auto now = unix_now_ms();
    if (text.empty() && listened && now - last_event_ms_ >= keep_alive_ms) text = ": keep-alive\n\n";
    if (text.empty()) return nullptr;
    last_event_ms_ = now;
    return std::make_shared<const std::string>(std::move(text));
}

}  // namespace regpoll::web
