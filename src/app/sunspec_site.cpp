#include "app/sunspec_site.hpp"

#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "app/session.hpp"
#include "app/sunspec_reader.hpp"
#include "common/env_dirs.hpp"
#include "sunspec/profile_writer.hpp"

namespace regpoll::app {

namespace {

using Json = nlohmann::json;

// What the cache was made for and from. The unit, the models and acc_zero_missing must match;
// the URI may change (a new IP address): the identity check finds a different device.
Json identity_of(const profile::SunspecRequest& req, const sunspec::Chain* chain,
                 const sunspec::DiscoveredDevice* device) {
    Json j{{"uri", req.bus_uri},
           {"unit", req.unit},
           {"models", req.models},
           {"acc_zero_missing", req.acc_zero_missing}};
    if (chain) j["base"] = chain->base;
    if (device) {
        j["Mn"] = device->mn, j["Md"] = device->md, j["SN"] = device->sn, j["Vr"] = device->vr;
    }
    return j;
}

std::optional<Json> read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    try {
        return Json::parse(in);
    } catch (const std::exception&) {
        return std::nullopt;  // a damaged cache is discovered again
    }
}

bool same_request(const Json& cached, const Json& wanted) {
    for (const char* key : {"unit", "models", "acc_zero_missing"}) {
        if (!cached.contains(key) || cached[key] != wanted[key]) return false;
    }
    return cached.contains("base") && cached["base"].is_number_unsigned();
}

std::optional<Session> open_session(const profile::SunspecRequest& req) {
    LinkArgs link;
    link.uri = req.bus_uri;
    link.unit = req.unit;
    link.timeout = std::to_string(req.timeout.count()) + "ms";
    return Session::open(link);
}

std::set<std::uint16_t> models_to_keep(const profile::SunspecRequest& req,
                                       const sunspec::Chain& chain, std::string& missing) {
    std::set<std::uint16_t> present;
    for (const auto& d : chain.devices) {
        for (const auto& m : d.models) present.insert(m.id);
    }
    std::set<std::uint16_t> keep;
    for (auto id : req.models) {
        if (!present.contains(id)) missing += (missing.empty() ? "" : ", ") + std::to_string(id);
        keep.insert(id);
    }
    if (req.models.empty()) {
        for (auto id : present) {
            if (sunspec::is_measurement_model(id)) keep.insert(id);
        }
    }
    return keep;
}

}  // namespace

std::string sunspec_cache_file(const std::string& config_file, const std::string& device) {
    return state_file(config_file, "sunspec-" + device + ".json");
}

namespace {

// The cached profile is still the device's: same request, and its common model names the
// same Mn/Md/SN/Vr — or the device does not answer now (asleep), which is no reason to drop it.
bool cache_current(Session& session, const Json& cached, const std::string& device) {
    const auto read = holding_reader(session);
    auto id = sunspec::read_identity(read, cached["base"].get<std::uint16_t>());
    if (!id) {
        spdlog::info("{}: SunSpec identity not readable now ({}); using the cached profile", device,
                     id.error());
        return true;
    }
    const bool same = cached.value("Mn", "") == id->mn && cached.value("Md", "") == id->md &&
                      cached.value("SN", "") == id->sn && cached.value("Vr", "") == id->vr;
    if (!same) {
        spdlog::info("{}: now {} {} {} {}: discovering its SunSpec models again", device, id->mn,
                     id->md, id->sn, id->vr);
    }
    return same;
}

std::shared_ptr<const profile::Profile> discover_and_cache(Session& session,
                                                           const profile::SunspecRequest& req,
                                                           const std::string& cache,
                                                           std::string& error) {
    const auto read = holding_reader(session);
    auto base = sunspec::find_base(read, std::nullopt);
    if (!base) {
        error = base.error();
        return nullptr;
    }
    auto chain = sunspec::walk_chain(read, req.unit, *base);
    if (!chain) {
        error = chain.error();
        return nullptr;
    }
    std::string missing;
    sunspec::ProfileOptions options;
    options.acc_zero_missing = req.acc_zero_missing;
    options.models = models_to_keep(req, *chain, missing);
    if (!missing.empty()) {
        error = "\"models\" names " + missing + ", which the device does not have";
        return nullptr;
    }
    std::filesystem::create_directories(std::filesystem::path(cache).parent_path());
    std::ofstream(cache) << sunspec::profile_json(*chain, options).dump(2) << "\n";
    std::ofstream(cache + ".identity")
        << identity_of(req, &*chain, &chain->devices.front()).dump(2);
    profile::Diagnostics diag;
    auto loaded = profile::load_profile(cache, diag);
    if (!loaded) {
        error = "the written profile " + cache + " does not load";
        return nullptr;
    }
    spdlog::info("{}: SunSpec discovery at unit {}, base {}: {} points, cached in {}", req.device,
                 int(req.unit), *base, loaded->points.size(), cache);
    return std::make_shared<const profile::Profile>(std::move(*loaded));
}

}  // namespace

profile::SunspecSource sunspec_source(bool rediscover) {
    return [rediscover](const profile::SunspecRequest& req, profile::Diagnostics& diag,
                        const std::string& file,
                        const std::string& json_path) -> std::shared_ptr<const profile::Profile> {
        const std::string cache = sunspec_cache_file(req.config_file, req.device);
        const auto cached = read_json(cache + ".identity");
        const bool usable = cached && same_request(*cached, identity_of(req, nullptr, nullptr)) &&
                            std::filesystem::exists(cache);
        auto session = open_session(req);
        if (!session) {
            diag.error(file, json_path,
                       "cannot open bus " + req.bus_uri + " for SunSpec discovery");
            return nullptr;
        }
        if (usable && !rediscover && cache_current(*session, *cached, req.device)) {
            auto loaded = profile::load_profile(cache, diag);
            return loaded ? std::make_shared<const profile::Profile>(std::move(*loaded)) : nullptr;
        }
        std::string error;
        if (auto p = discover_and_cache(*session, req, cache, error)) return p;
        if (usable) {
            spdlog::warn("{}: SunSpec discovery failed ({}); keeping the cached profile",
                         req.device, error);
            auto loaded = profile::load_profile(cache, diag);
            return loaded ? std::make_shared<const profile::Profile>(std::move(*loaded)) : nullptr;
        }
        diag.error(file, json_path,
                   "SunSpec discovery of unit " + std::to_string(req.unit) + " on " + req.bus_uri +
                       " failed: " + error + " (and there is no cached profile in " + cache + ")");
        return nullptr;
    };
}

}  // namespace regpoll::app
