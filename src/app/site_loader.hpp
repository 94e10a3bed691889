#pragma once
// Loads a site configuration with every section checked together (plugins, devices, MQTT,
// history), so `validate` and `run` report all mistakes at once.
#include <memory>
#include <optional>

#include "gateway/gateway_config.hpp"
#include "plugin/plugin_set.hpp"
#include "profile/site_config.hpp"
#include "sink/history_config.hpp"
#include "sink/mqtt_config.hpp"
#include "sink/postgres_config.hpp"
#include "web/http_config.hpp"

namespace regpoll::app {

struct Site {
    std::shared_ptr<const profile::SiteConfig> config;
    std::optional<sink::MqttConfig> mqtt;
    std::optional<sink::HistoryConfig> history;
    std::optional<sink::PostgresConfig> postgres;
    std::shared_ptr<const plugin::PluginSet> plugins;  // loaded; sinks are opened by `run`
    std::vector<gateway::GatewayConfig> gateways;
    std::optional<web::HttpConfig> http;
};

struct SiteLoad {
    std::optional<Site> site;  // empty when there were errors
    profile::Diagnostics diagnostics;
};

// `rediscover`: SunSpec devices ("profile": "sunspec") are discovered again even when their
// cached profile is current (SIGHUP). `shard` (--shard) overrides the file's "shard"; with
// either, the site keeps only that shard's devices (profile/site_shard.hpp), and the MQTT
// client id, status topic, outbox and history files carry the shard's tag.
SiteLoad load_site(const std::string& path, bool rediscover = false,
                   const std::optional<profile::Shard>& shard = std::nullopt);

// --shard K/N into `shard` (left empty when `text` is ""); false after printing a usage
// error that names the flag and what was wrong.
bool shard_arg(const std::string& text, std::optional<profile::Shard>& shard);

}  // namespace regpoll::app
