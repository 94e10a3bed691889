#pragma once
// The routes of the web server, as a function from request to response over the latest
// SiteView: the page (/ and /assets/…), /healthz, /api/v1/devices, /api/v1/devices/{device},
// /api/v1/plan, /api/v1/history, /api/v1/events (server-sent events), /metrics. Runs on the web thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "web/http_config.hpp"
#include "web/http_message.hpp"
#include "web/site_view.hpp"

namespace regpoll::web {

class EventFeed;

struct HealthAnswer {
    bool healthy = false;
    std::string reason;
};

struct ApiOptions {
    const SiteViewBoard* board = nullptr;
    std::optional<HttpAuth> auth;  // basic auth for everything but /healthz
    bool metric_values = true;
    std::string history_path;  // the SQLite history; "" when none is kept
    EventFeed* events = nullptr;  // /api/v1/events; used on the web thread only
    // The verdict of `regpoll health` on a status object built from the view (the status
    // file's format, app/status_file.hpp).
    std::function<HealthAnswer(const nlohmann::json& status, std::int64_t now_ms)> judge;
};

class Api {
  public:
    explicit Api(ApiOptions options) : options_(std::move(options)) {}
    HttpResponse handle(const HttpRequest& request) const;

  private:
    HttpResponse healthz(const SiteView& view) const;
    bool authorized(const HttpRequest& request) const;
    ApiOptions options_;
};

// A device as the API shows it: name, bus, health and request figures, and with `points`
// every point's value, unit, time, quality and precision.
nlohmann::ordered_json device_json(const DeviceView& device, bool points);

// GET /api/v1/plan: per bus, its devices' read requests as the planner made them, requests
// per cycle and, on serial lines, the share of the line's time the plan needs.
nlohmann::ordered_json plan_json(const SiteView& view);

// An embedded file of the page, or 404.
HttpResponse asset_response(std::string_view name);

// The most points a history answer holds; longer ranges are averaged into buckets.
inline constexpr std::size_t max_history_points = 2000;

// GET /api/v1/history with its query parameters; `now_ms` for relative times.
HttpResponse history_response(const SiteView& view, const std::string& history_path,
                              const std::string& query, std::int64_t now_ms);

// The Prometheus text exposition (format 0.0.4) of `view`; point values unless `values`
// is false.
std::string metrics_text(const SiteView& view, bool values);

// The status file's object (app/status_file.hpp) for `view`, so /healthz is judged by the
// same code as `regpoll health`.
nlohmann::json status_of(const SiteView& view);

}  // namespace regpoll::web
