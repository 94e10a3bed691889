#include "plugin/plugin_set.hpp"

#include <filesystem>

namespace regpoll::plugin {
namespace {

constexpr const char* entry_keys = "path, config, queue_size, drop, flush_interval";

struct Entry {
    std::string path;
    bool sink_settings = false;  // any of config, queue_size, drop, flush_interval given
    SinkSpec spec;
};

std::optional<Entry> parse_entry(profile::JsonReader& r) {
    if (!r.is_object()) return std::nullopt;
    Entry e;
    bool ok = true;
    if (auto p = r.string("path")) {
        e.path = *p;
        if (e.path.empty()) {
            r.error("path", "the path is empty");
            ok = false;
        }
    } else {
        if (!r.has("path"))
            r.error_here(
                "a plugin needs a \"path\": a file such as \"influxdb.so\" or a plugin name");
        ok = false;
    }
    if (const profile::Json* config = r.get("config")) {
        e.sink_settings = true;
        if (!config->is_object()) {
            r.error("config", "expected an object (the plugin's own settings), found " +
                                  profile::shown(*config));
            ok = false;
        } else {
            e.spec.config_json =
                config->dump(-1, ' ', false, profile::Json::error_handler_t::replace);
        }
    }
    if (auto q = r.integer("queue_size", 1, 10'000'000)) {
        e.spec.queue_size = static_cast<std::size_t>(*q);
        e.sink_settings = true;
    } else if (r.has("queue_size")) {
        ok = false;
    }
    if (auto d = r.choice("drop", {"oldest", "newest"})) {
        e.spec.overflow = *d == "oldest" ? Overflow::drop_oldest : Overflow::drop_newest;
        e.sink_settings = true;
    } else if (r.has("drop")) {
        ok = false;
    }
    if (auto f = r.duration("flush_interval")) {
        e.sink_settings = true;
        if (f->count() <= 0) {
            r.error("flush_interval", "a flush interval must be longer than 0");
            ok = false;
        }
        e.spec.flush_interval = *f;
    } else if (r.has("flush_interval")) {
        ok = false;
    }
    r.reject_unknown(entry_keys);
    if (!ok) return std::nullopt;
    return e;
}

}  // namespace

std::shared_ptr<const profile::PointDecoder> PluginSet::find(const std::string& name) const {
    auto it = decoders_.find(name);
    return it == decoders_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginSet::names() const {
    std::vector<std::string> out;
    for (const auto& [name, decoder] : decoders_) out.push_back(name);
    return out;
}

std::vector<std::string> PluginSet::summary() const {
    std::vector<std::string> out;
    for (const auto& lib : libraries_) {
        std::string what;
        std::size_t sinks = 0;
        for (const auto& s : sinks_) sinks += s.library == lib ? 1 : 0;
        if (sinks > 0) what = sinks == 1 ? "sink" : std::to_string(sinks) + " sinks";
        const auto& d = lib->description();
        for (std::size_t i = 0; i < d.decoder_count; ++i) {
            what += (what.empty() ? "type " : ", type ") + std::string(d.decoders[i].type);
        }
        out.push_back(lib->label() + ": " + what);
    }
    return out;
}

std::shared_ptr<PluginSet> load_plugins(const profile::Json& section, const std::string& file,
                                        profile::Diagnostics& diag,
                                        const PluginSearchPath& search) {
    auto set = std::make_shared<PluginSet>();
    if (section.is_null()) return set;
    if (!section.is_array()) {
        diag.error(file, "/plugins",
                   "expected a list of plugins, found " + profile::shown(section));
        return set;
    }
    const std::string config_dir = std::filesystem::path(file).parent_path().string();
    std::map<std::string, std::shared_ptr<const PluginLibrary>> by_path;
    for (std::size_t i = 0; i < section.size(); ++i) {
        const std::string where = "/plugins/" + std::to_string(i);
        profile::JsonReader r(section[i], file, where, diag);
        auto entry = parse_entry(r);
        if (!entry) continue;
        const auto resolved = search.resolve(entry->path, config_dir);
        if (!resolved) {
            r.error("path", "plugin \"" + entry->path + "\" not found (" +
                                search.searched(entry->path, config_dir) + ")");
            continue;
        }
        std::shared_ptr<const PluginLibrary> lib;
        bool fresh = false;
        if (auto it = by_path.find(*resolved); it != by_path.end()) {
            lib = it->second;
        } else {
            auto loaded = PluginLibrary::load(*resolved);
            if (!loaded) {
                r.error("path", loaded.error());
                continue;
            }
            lib = *loaded;
            fresh = true;
        }
        if (!lib->sink() && entry->sink_settings) {
            r.error_here(
                lib->label() +
                " has no sink: config, queue_size, drop and flush_interval are for sink plugins");
            continue;
        }
        if (fresh) {
            bool clash = false;
            const auto& d = lib->description();
            for (std::size_t k = 0; k < d.decoder_count; ++k) {
                const std::string type = d.decoders[k].type;
                if (auto other = set->decoders_.find(type); other != set->decoders_.end()) {
                    r.error("path", "type \"" + type + "\" of " + lib->label() +
                                        " is also provided by " + other->second->origin());
                    clash = true;
                }
            }
            if (clash) continue;
            for (std::size_t k = 0; k < d.decoder_count; ++k) {
                set->decoders_[d.decoders[k].type] =
                    std::make_shared<PluginDecoder>(lib, d.decoders[k]);
            }
            by_path[*resolved] = lib;
            set->libraries_.push_back(lib);
        } else if (!lib->sink()) {
            diag.warning(file, where + "/path",
                         lib->label() + " is listed twice; it is loaded once");
        }
        if (lib->sink()) {
            SinkSpec spec = entry->spec;
            spec.library = lib;
            spec.config_dir = config_dir.empty() ? "." : config_dir;
            spec.instance = file + ": " + where;
            set->sinks_.push_back(std::move(spec));
        }
    }
    return set;
}

}  // namespace regpoll::plugin
