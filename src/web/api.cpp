#include "web/api.hpp"

#include <unistd.h>

#include <map>

#include <boost/beast/core/detail/base64.hpp>

#include "poll/value_json.hpp"
#include "web/assets.hpp"
#include "web/event_feed.hpp"
#include "web/query_string.hpp"

namespace regpoll::web {
namespace {

using Json = nlohmann::ordered_json;

HttpResponse json_response(const Json& body) {
    HttpResponse r;
    // Text from a device may be any bytes: replace what is not UTF-8 rather than fail.
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    return r;
}

// Compares without stopping at the first difference, so timing says nothing about a password.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    }
    return diff == 0;
}

}  // namespace

nlohmann::ordered_json device_json(const DeviceView& d, bool points) {
    std::uint64_t errors = 0;
    for (const auto& [reason, n] : d.metrics.errors) errors += n;
    Json j{{"name", d.name},
           {"bus", d.bus},
           {"unit", d.unit},
           {"online", d.online},
           {"last_answer_ms", d.last_answer_ms},
           {"interval_ms", d.interval_ms},
           {"requests", d.metrics.requests},
           {"errors", errors},
           {"timeouts", d.metrics.timeouts},
           {"missed_deadlines", d.metrics.missed_deadlines},
           {"latency_seconds_sum", d.metrics.latency_sum_seconds}};
    if (!d.manufacturer.empty()) j["manufacturer"] = d.manufacturer;
    if (!d.model.empty()) j["model"] = d.model;
    if (!points) return j;
    Json list = Json::array();
    for (const auto& p : d.points) {
        Json point{{"name", p.name},
                   {"value", poll::value_to_json(p.value)},
                   {"unit", p.unit},
                   {"ts", p.ts_ms},
                   {"quality", p.ts_ms ? poll::quality_name(p.quality) : "unread"}};
        if (p.precision) point["precision"] = *p.precision;
        list.push_back(std::move(point));
    }
    j["points"] = std::move(list);
    return j;
}

nlohmann::ordered_json plan_json(const SiteView& view) {
    Json buses = Json::array();
    std::map<std::string, std::size_t> index;  // bus name -> position in `buses`
    for (const auto& d : view.devices) {
        auto [it, added] = index.emplace(d->bus, buses.size());
        if (added) buses.push_back(Json{{"name", d->bus}, {"requests_per_cycle", 0}, {"line_share", nullptr}, {"devices", Json::array()}});
        auto& bus = buses[it->second];
        Json device{{"name", d->name}, {"unit", d->unit}, {"interval_ms", d->interval_ms}};
        if (d->plan) {
            const auto& plan = *d->plan;
            device["requests_per_cycle"] = plan.requests.size();
            device["registers_per_cycle"] = plan.registers;
            device["wire_ms_per_cycle"] = plan.wire_seconds ? Json(*plan.wire_seconds * 1000) : Json(nullptr);
            Json requests = Json::array();
            for (const auto& r : plan.requests) {
                requests.push_back(Json{{"every_ms", r.interval_ms}, {"kind", r.kind}, {"address", r.address},
                                        {"count", r.count}, {"points", r.points}});
            }
            device["requests"] = std::move(requests);
            bus["requests_per_cycle"] = bus["requests_per_cycle"].get<std::size_t>() + plan.requests.size();
            if (plan.line_share) {
                bus["line_share"] = (bus["line_share"].is_null() ? 0.0 : bus["line_share"].get<double>()) + *plan.line_share;
            }
        }
        bus["devices"].push_back(std::move(device));
    }
    return Json{{"buses", std::move(buses)}};
}

HttpResponse json_error(int status, const std::string& message) {
    auto r = json_response(Json{{"error", message}});
    r.status = status;
    return r;
}

nlohmann::json status_of(const SiteView& view) {
    nlohmann::json devices = nlohmann::json::object();
    for (const auto& d : view.devices) {
        devices[d->name] = {{"online", d->online},
                            {"last_sample_ms", d->last_answer_ms},
                            {"interval_ms", d->interval_ms}};
    }
    return {{"pid", static_cast<long long>(::getpid())},
            {"version", view.version},
            {"config", view.config_file},
            {"state", view.polling ? "polling" : "stopped"},
            {"started_ms", view.started_ms},
            {"written_ms", view.published_ms},
            {"devices", std::move(devices)}};
}

HttpResponse asset_response(std::string_view name) {
    const auto* asset = find_asset(name);
    if (!asset) return json_error(404, "no such page: /assets/" + std::string(name));
    HttpResponse r;
    r.content_type = std::string(content_type_of(name));
    r.body = std::string(asset->body);
    // The files change only with the binary; the version in the page's links is not needed
    // while every answer says no-store (the server's default), which keeps upgrades simple.
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

bool Api::authorized(const HttpRequest& request) const {
    if (!options_.auth) return true;
    constexpr std::string_view scheme = "Basic ";
    const std::string_view header = request.authorization;
    if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme) return false;
    const auto encoded = header.substr(scheme.size());
    std::string decoded(boost::beast::detail::base64::decoded_size(encoded.size()), '\0');
    const auto [written, read] =
        boost::beast::detail::base64::decode(decoded.data(), encoded.data(), encoded.size());
    // Decoding stops at the padding; anything but padding after that is not base64.
    if (encoded.find_first_not_of('=', read) != std::string_view::npos) return false;
    decoded.resize(written);
    return same_secret(decoded, options_.auth->user + ":" + options_.auth->password);
}

HttpResponse Api::healthz(const SiteView& view) const {
    const auto verdict = options_.judge(status_of(view), unix_now_ms());
    HttpResponse r;
    r.status = verdict.healthy ? 200 : 503;
    r.content_type = "text/plain; charset=utf-8";
    r.body = (verdict.healthy ? "healthy: " : "unhealthy: ") + verdict.reason + "\n";
    return r;
}

HttpResponse Api::handle(const HttpRequest& request) const {
    if (request.method != "GET") {
        auto r = json_error(405, "only GET is served");
        r.headers.emplace_back("Allow", "GET");
        return r;
    }
    const std::string_view target = request.target;
    if (target.empty() || target.front() != '/') return json_error(400, "the target must be a path");
    const auto question = target.find('?');
    const auto raw_path = target.substr(0, question);
    const auto query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    const auto path = url_decode(raw_path, false);
    if (!path) return json_error(400, "malformed %-escape in the path");
    if (escapes_tree(*path)) return json_error(400, "\".\" and \"..\" are not allowed in paths");

    const auto view = options_.board->take();
    if (!view) return json_error(503, "starting");
    if (*path == "/healthz") return healthz(*view);
    if (!authorized(request)) {
        auto r = json_error(401, "authentication required");
        r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"regpoll\", charset=\"UTF-8\"");
        return r;
    }
    if (*path == "/metrics") {
        HttpResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_text(*view, options_.metric_values);
        return r;
    }
    if (*path == "/api/v1/devices") {
        Json list = Json::array();
        for (const auto& d : view->devices) list.push_back(device_json(*d, false));
        return json_response(Json{{"devices", std::move(list)}});
    }
    constexpr std::string_view device_prefix = "/api/v1/devices/";
    if (path->starts_with(device_prefix)) {
        const auto name = std::string_view(*path).substr(device_prefix.size());
        const auto* device = view->device(name);
        if (!device) return json_error(404, "no device \"" + std::string(name) + "\"");
        return json_response(device_json(*device, true));
    }
    if (*path == "/api/v1/plan") return json_response(plan_json(*view));
    if (*path == "/api/v1/events") {
        if (!options_.events) return json_error(404, "no event stream here");
        HttpResponse r;
        r.body = options_.events->first_event();
        r.event_stream = true;
        return r;
    }
    if (*path == "/") return asset_response("index.html");
    constexpr std::string_view asset_prefix = "/assets/";
    if (path->starts_with(asset_prefix)) return asset_response(std::string_view(*path).substr(asset_prefix.size()));
    if (*path == "/api/v1/history") {
        return history_response(*view, options_.history_path, std::string(query), unix_now_ms());
    }
    return json_error(404, "no such page: " + *path);
}

}  // namespace regpoll::web
