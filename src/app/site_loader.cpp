#include "app/site_loader.hpp"

#include <cstdlib>

#include "app/session.hpp"
#include "app/sunspec_site.hpp"
#include "profile/site_shard.hpp"

namespace regpoll::app {
namespace {

// A shard with nothing to poll is said, not refused: one site file serves every shard, and
// a later reload may give it devices.
void warn_if_idle(const profile::SiteConfig& config, profile::Diagnostics& diag) {
    if (!config.devices.empty()) return;
    diag.warning(config.file, "/shard",
                 "shard " + config.shard->text() + " takes none of the " +
                     std::to_string(config.elsewhere.size()) + " devices; it polls nothing");
}

// What three shards on one host must not share: the broker's client id (the broker would
// drop one for the other), the status topic (each shard's will), the outboxes and the history.
void tag_with_shard(Site& site, const profile::Shard& shard) {
    if (site.mqtt) {
        site.mqtt->client_id += "-" + shard.tag();
        site.mqtt->shard = shard.tag();
        site.mqtt->outbox_path = profile::shard_file(site.mqtt->outbox_path, shard);
    }
    if (site.history) site.history->path = profile::shard_file(site.history->path, shard);
    if (site.postgres) site.postgres->outbox_path = profile::shard_file(site.postgres->outbox_path, shard);
}

}  // namespace

SiteLoad load_site(const std::string& path, bool rediscover,
                   const std::optional<profile::Shard>& shard) {
    SiteLoad out;
    profile::ProfileLibrary library;
    library.set_sunspec_source(sunspec_source(rediscover));
    // Plugins load before the devices are read: decoder plugins add point types.
    std::shared_ptr<plugin::PluginSet> plugins;
    auto load_plugins = [&](const profile::Json& section, const std::string& file, profile::Diagnostics& diag)
        -> std::shared_ptr<const profile::PointTypes> {
        plugins = plugin::load_plugins(section, file, diag);
        return plugins;
    };
    auto loaded = profile::load_site_config(path, library, load_plugins);
    out.diagnostics = std::move(loaded.diagnostics);
    if (!loaded.config) return out;
    // Rules are checked against every device of the site, not just this shard's.
    std::vector<sink::DevicePoints> names;
    for (const auto& d : loaded.config->devices) {
        auto& e = names.emplace_back(sink::DevicePoints{d.name, {}});
        for (const auto& p : d.points) e.points.push_back(p.name);
    }
    if (shard) loaded.config->shard = shard;
    if (loaded.config->shard) {
        profile::keep_shard(*loaded.config);
        warn_if_idle(*loaded.config, out.diagnostics);
    }
    Site site;
    site.plugins = std::move(plugins);
    site.mqtt = sink::parse_mqtt_config(*loaded.config, out.diagnostics);
    site.gateways = gateway::parse_gateway_config(*loaded.config, out.diagnostics);
    site.http = web::parse_http_config(*loaded.config, out.diagnostics);
    if (!loaded.config->history.is_null()) {
        site.history = sink::parse_history_config(loaded.config->history, path, out.diagnostics);
        if (site.history) sink::warn_unused_rules(*site.history, names, path, out.diagnostics);
    }
    if (!loaded.config->postgres.is_null())
        site.postgres = sink::parse_postgres_config(loaded.config->postgres, path, out.diagnostics);
    if (!out.diagnostics.ok()) return out;
    if (loaded.config->shard) tag_with_shard(site, *loaded.config->shard);
    site.config = std::make_shared<const profile::SiteConfig>(std::move(*loaded.config));
    out.site = std::move(site);
    return out;
}

bool shard_arg(const std::string& text, std::optional<profile::Shard>& shard) {
    shard.reset();
    if (text.empty()) return true;
    auto parsed = profile::parse_shard(text);
    if (!parsed) {
        // CLI11 fills the option from $REGPOLL_SHARD when the flag is not given: say which.
        const char* env = std::getenv("REGPOLL_SHARD");
        const bool from_env = env && text == env;
        print_error(std::string(from_env ? "--shard (from $REGPOLL_SHARD) " : "--shard ") + parsed.error());
        return false;
    }
    shard = *parsed;
    return true;
}

}  // namespace regpoll::app
