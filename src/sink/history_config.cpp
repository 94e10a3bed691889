#include "sink/history_config.hpp"

#include <fnmatch.h>

#include <filesystem>

#include "common/env_dirs.hpp"

namespace regpoll::sink {
namespace {

using profile::Json;
using profile::JsonReader;
using profile::shown;

bool glob_match(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

std::optional<Milliseconds> parse_retention(JsonReader& r, const std::string& key) {
    const Json* v = r.get(key);
    if (!v) return Milliseconds{0};
    if (v->is_string() && v->get<std::string>() == "forever") return Milliseconds{0};
    if (!v->is_string()) {
        r.error(key, "expected a duration such as \"30d\" or \"forever\", found " + shown(*v));
        return std::nullopt;
    }
    return r.duration(key);
}

namespace {

std::optional<HistoryRule> parse_rule(JsonReader& r) {
    if (!r.is_object()) return std::nullopt;
    HistoryRule rule;
    rule.json_path = r.path();
    const std::size_t errors_before = r.diag().errors().size();
    if (auto d = r.string("device")) rule.device = *d;
    if (auto p = r.string("point")) rule.point = *p;
    if (auto s = r.boolean("store")) rule.store = *s;
    if (auto d = r.number("deadband")) {
        if (*d < 0) r.error("deadband", "a deadband cannot be negative, found " + shown(Json(*d)));
        rule.deadband = *d;
    }
    if (auto c = r.boolean("on_change")) rule.on_change = *c;
    if (auto h = r.duration("heartbeat")) {
        if (h->count() <= 0) r.error("heartbeat", "a heartbeat must be longer than 0");
        rule.heartbeat = *h;
    }
    r.reject_unknown("device, point, store, deadband, on_change, heartbeat");
    if (!r.has("device") && !r.has("point")) {
        r.error_here("a rule needs a \"device\" or a \"point\" pattern (\"*\" matches all)");
    }
    if (!rule.store && (rule.filters() || rule.heartbeat)) {
        r.error_here(
            "\"store\": false stores nothing; deadband, on_change and heartbeat do not apply");
    }
    if (rule.heartbeat && !rule.filters()) {
        r.error("heartbeat",
                "a heartbeat needs \"deadband\" or \"on_change\" (without them every sample is "
                "stored)");
    }
    if (rule.deadband && r.has("on_change") && !rule.on_change) {
        r.error("on_change", "a deadband stores on change; \"on_change\": false contradicts it");
    }
    if (r.diag().errors().size() != errors_before) return std::nullopt;
    return rule;
}

bool parse_rules(JsonReader& r, HistoryConfig& config) {
    const Json* rules = r.get("rules");
    if (!rules) return true;
    if (!rules->is_array()) {
        r.error("rules", "expected a list of rules, found " + shown(*rules));
        return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < rules->size(); ++i) {
        JsonReader rr((*rules)[i], r.file(), r.child_path("rules") + "/" + std::to_string(i),
                      r.diag());
        auto rule = parse_rule(rr);
        if (rule)
            config.rules.push_back(std::move(*rule));
        else
            ok = false;
    }
    return ok;
}

bool parse_rollups(JsonReader& r, HistoryConfig& config) {
    const Json* v = r.get("rollups");
    if (!v) return true;
    if (v->is_boolean()) {
        config.rollups = v->get<bool>();
        return true;
    }
    if (!v->is_object()) {
        r.error("rollups", "expected true, false or {\"retention\": \"400d\"}, found " + shown(*v));
        return false;
    }
    JsonReader rr(*v, r.file(), r.child_path("rollups"), r.diag());
    config.rollups = true;
    auto retention = parse_retention(rr, "retention");
    rr.reject_unknown("retention");
    if (!retention) return false;
    config.rollup_retention = *retention;
    return true;
}

}  // namespace

const HistoryRule* HistoryConfig::rule_for(const std::string& device,
                                           const std::string& point) const {
    for (const auto& rule : rules) {
        if (glob_match(rule.device, device) && glob_match(rule.point, point)) return &rule;
    }
    return nullptr;
}

std::string default_history_path(const std::string& config_path) {
    return state_file(config_path, std::filesystem::path(config_path).filename().replace_extension(".db").string());
}

std::optional<HistoryConfig> parse_history_config(const profile::Json& section,
                                                  const std::string& config_path,
                                                  profile::Diagnostics& diag) {
    JsonReader r(section, config_path, "/history", diag);
    if (!r.is_object()) return std::nullopt;
    const std::size_t errors_before = diag.errors().size();
    HistoryConfig config;
    config.path = default_history_path(config_path);
    if (auto p = r.string("path")) {
        if (p->empty()) {
            r.error("path", "the database path is empty");
        } else {
            config.path = state_file(config_path, *p);
        }
    }
    if (auto retention = parse_retention(r, "retention")) config.retention = *retention;
    if (auto f = r.duration("flush_interval")) {
        if (f->count() < 10 || *f > std::chrono::minutes(10)) {
            r.error("flush_interval", "expected a flush interval from 10ms to 10m, found " +
                                          shown(*r.get("flush_interval")));
        }
        config.flush_interval = *f;
    }
    parse_rollups(r, config);
    if (auto s = r.choice("synchronous", {"normal", "full"})) {
        config.synchronous = *s == "full" ? Synchronous::full : Synchronous::normal;
    }
    if (auto q = r.integer("queue_warning", 1000, 1'000'000'000))
        config.queue_warning = static_cast<std::size_t>(*q);
    if (auto q = r.integer("max_queue", 100, 1'000'000'000)) config.max_queue = static_cast<std::size_t>(*q);
    parse_rules(r, config);
    r.reject_unknown("path, retention, flush_interval, rollups, synchronous, queue_warning, max_queue, rules");
    if (config.rollup_retention.count() > 0 &&
        config.retention.count() > config.rollup_retention.count()) {
        diag.warning(config_path, "/history/rollups/retention",
                     "rollups are kept for less time than the raw rows they summarise");
    }
    if (diag.errors().size() != errors_before) return std::nullopt;
    return config;
}

void warn_unused_rules(const HistoryConfig& config, const std::vector<DevicePoints>& devices,
                       const std::string& config_path, profile::Diagnostics& diag) {
    for (std::size_t i = 0; i < config.rules.size(); ++i) {
        const auto& rule = config.rules[i];
        bool decides = false;  // first match for at least one point
        for (const auto& dev : devices) {
            for (const auto& point : dev.points) {
                decides = decides || config.rule_for(dev.device, point) == &rule;
            }
        }
        if (!decides) {
            diag.warning(config_path, rule.json_path,
                         "this rule applies to no point (device \"" + rule.device + "\", point \"" +
                             rule.point + "\"" +
                             (i > 0 ? ", or earlier rules match them first)" : ")"));
        }
    }
}

}  // namespace regpoll::sink
