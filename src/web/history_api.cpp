// GET /api/v1/history?device=&point=&since=&until=&step= : one point's stored values from
// the SQLite history, read with `regpoll history`'s query and, for long ranges, averaged on
// the server into at most max_history_points buckets.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/duration.hpp"
#include "sink/history_query.hpp"
#include "sink/history_time.hpp"
#include "web/api.hpp"
#include "web/query_string.hpp"

namespace regpoll::web {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t default_range_ms = 3'600'000;         // since: 1h back from now
constexpr std::int64_t longest_step_ms = 366LL * 86'400'000;  // a step longer than a year is a mistake

// A time as `regpoll history` takes it, or plain Unix milliseconds.
Expected<std::int64_t, std::string> time_of(const std::string& text, std::int64_t now_ms) {
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return ms;
    return sink::parse_time_point(text, now_ms);
}

struct Bucket {
    std::int64_t start = 0;
    double sum = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    std::size_t count = 0;
};

Json raw_row(const sink::HistoryRow& row) {
    Json j{{"ts", row.ts}};
    switch (row.type) {
        case sink::HistoryRow::Type::integer:
            j["value"] = row.integer;
            break;
        case sink::HistoryRow::Type::real:
            j["value"] = std::isfinite(row.real) ? Json(row.real) : Json(nullptr);
            break;
        case sink::HistoryRow::Type::null:
            j["value"] = nullptr;
            break;
    }
    if (row.text) j["text"] = *row.text;
    return j;
}

std::optional<double> number_of(const sink::HistoryRow& row) {
    if (row.type == sink::HistoryRow::Type::integer) return static_cast<double>(row.integer);
    if (row.type == sink::HistoryRow::Type::real && std::isfinite(row.real)) return row.real;
    return std::nullopt;
}

}  // namespace

HttpResponse history_response(const SiteView& view, const std::string& history_path,
                              const std::string& query_text, std::int64_t now_ms) {
    const auto query = parse_query(query_text);
    if (!query) return json_error(400, "malformed query string");
    for (const auto& [name, value] : *query) {
        if (name != "device" && name != "point" && name != "since" && name != "until" && name != "step")
            return json_error(400, "unknown parameter \"" + name + "\" (expected device, point, since, until, step)");
    }
    const auto get = [&](const char* name) {
        auto it = query->find(name);
        return it == query->end() ? std::string() : it->second;
    };
    const auto device_name = get("device");
    const auto point_name = get("point");
    if (device_name.empty() || point_name.empty()) return json_error(400, "device and point are required");
    const auto* device = view.device(device_name);
    if (!device) return json_error(404, "no device \"" + device_name + "\"");
    const auto point = std::find_if(device->points.begin(), device->points.end(),
                                    [&](const PointView& p) { return p.name == point_name; });
    if (point == device->points.end())
        return json_error(404, "device " + device_name + " has no point \"" + point_name + "\"");
    if (history_path.empty()) return json_error(404, "no history is kept (no \"history\" section)");

    std::int64_t since = now_ms - default_range_ms;
    std::int64_t until = now_ms;
    for (auto [name, target] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
        const auto text = get(name);
        if (text.empty()) continue;
        auto t = time_of(text, now_ms);
        if (!t) return json_error(400, std::string(name) + ": " + t.error());
        *target = *t;
    }
    if (since >= until) {
        return json_error(400, "since (" + sink::format_time_utc(since) + ") is not before until (" +
                                   sink::format_time_utc(until) + ")");
    }
    std::int64_t step = 0;
    if (const auto text = get("step"); !text.empty()) {
        auto d = parse_duration(text);
        if (!d) return json_error(400, "step: " + d.error());
        if (d->count() <= 0 || d->count() > longest_step_ms)
            return json_error(400, "step: " + text + " is not between 1ms and 366d");
        step = d->count();
    }
    // Never more than max_history_points buckets, whatever step was asked for.
    const auto range = until - since;
    const auto shortest = (range + static_cast<std::int64_t>(max_history_points) - 1) /
                          static_cast<std::int64_t>(max_history_points);

    sink::HistorySelection selection;
    selection.devices = {device_name};
    selection.points = {point_name};
    selection.since_ms = since;
    selection.until_ms = until;
    Json raw = Json::array();
    std::vector<std::pair<std::int64_t, double>> raw_numbers;  // the raw rows' numbers, to bucket them later
    std::vector<Bucket> buckets;
    bool bucketed = step > 0;
    const auto bucket_step = std::max(step, shortest);
    const auto add = [&](std::int64_t ts, double x) {
        const auto start = since + (ts - since) / bucket_step * bucket_step;
        if (buckets.empty() || buckets.back().start != start) buckets.push_back({start});
        auto& b = buckets.back();
        b.sum += x;
        b.min = std::min(b.min, x);
        b.max = std::max(b.max, x);
        ++b.count;
    };
    try {
        sink::HistoryReader reader(history_path);
        reader.read(selection, [&](const sink::HistoryRow& row) {
            // GLOB patterns: a name with * or ? could match others; keep the exact one.
            if (row.device != device_name || row.point != point_name) return;
            const auto x = number_of(row);
            if (!bucketed && raw.size() < max_history_points) {
                raw.push_back(raw_row(row));
                if (x) raw_numbers.emplace_back(row.ts, *x);
                return;
            }
            if (!bucketed) {  // too many for raw rows: bucket those kept, and the rest
                bucketed = true;
                for (const auto& [ts, n] : raw_numbers) add(ts, n);
            }
            if (x) add(row.ts, *x);
        });
    } catch (const sink::HistoryOpenError& e) {
        return json_error(503, std::string("history: ") + e.what());
    } catch (const std::exception& e) {
        return json_error(500, std::string("history: ") + e.what());
    }
    Json out{{"device", device_name}, {"point", point_name}, {"unit", point->unit},
             {"since", since},        {"until", until}};
    if (!bucketed) {
        out["step"] = nullptr;
        out["points"] = std::move(raw);
    } else {
        out["step"] = bucket_step;
        Json points = Json::array();
        for (const auto& b : buckets) {
            points.push_back({{"ts", b.start},
                              {"value", b.sum / static_cast<double>(b.count)},
                              {"min", b.min},
                              {"max", b.max},
                              {"count", b.count}});
        }
        out["points"] = std::move(points);
    }
    HttpResponse r;
    r.body = out.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    return r;
}

}  // namespace regpoll::web
