#include "app/site_loader.hpp"

#include "app/sunspec_site.hpp"

namespace regpoll::app {

SiteLoad load_site(const std::string& path, bool rediscover) {
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
    Site site;
    site.plugins = std::move(plugins);
    site.mqtt = sink::parse_mqtt_config(*loaded.config, out.diagnostics);
    site.gateways = gateway::parse_gateway_config(*loaded.config, out.diagnostics);
    site.http = web::parse_http_config(*loaded.config, out.diagnostics);
    if (!loaded.config->history.is_null()) {
        site.history = sink::parse_history_config(loaded.config->history, path, out.diagnostics);
        if (site.history) {
            std::vector<sink::DevicePoints> names;
            for (const auto& d : loaded.config->devices) {
                auto& e = names.emplace_back(sink::DevicePoints{d.name, {}});
                for (const auto& p : d.points) e.points.push_back(p.name);
            }
            sink::warn_unused_rules(*site.history, names, path, out.diagnostics);
        }
    }
    if (!loaded.config->postgres.is_null())
        site.postgres = sink::parse_postgres_config(loaded.config->postgres, path, out.diagnostics);
    if (!out.diagnostics.ok()) return out;
    site.config = std::make_shared<const profile::SiteConfig>(std::move(*loaded.config));
    out.site = std::move(site);
    return out;
}

}  // namespace regpoll::app
