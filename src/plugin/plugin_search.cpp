#include "plugin/plugin_search.hpp"

#include <filesystem>

#include "common/env_dirs.hpp"

// Installed plugins relative to the installed binary (any prefix); the build tree's plugins/
// only for a binary in that build tree.
#ifndef REGPOLL_PLUGINS_FROM_BINDIR
#define REGPOLL_PLUGINS_FROM_BINDIR "../lib/regpoll/plugins"
#endif
#ifndef REGPOLL_BUILD_DIR
#define REGPOLL_BUILD_DIR ""
#endif
#ifndef REGPOLL_PLUGINS_BUILD_DIR
#define REGPOLL_PLUGINS_BUILD_DIR ""
#endif

namespace regpoll::plugin {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> candidates(const fs::path& dir, const std::string& path) {
    std::vector<fs::path> out{dir / path};
    if (!fs::path(path).has_extension()) out.push_back(dir / (path + ".so"));
    return out;
}

}  // namespace

PluginSearchPath::PluginSearchPath(std::vector<std::string> extra_dirs) {
    dirs_ = env_dirs("REGPOLL_PLUGINS");
    for (auto& d : extra_dirs) dirs_.push_back(std::move(d));
    for (auto& d : binary_data_dirs("/proc/self/exe", REGPOLL_PLUGINS_FROM_BINDIR, REGPOLL_BUILD_DIR,
                                    REGPOLL_PLUGINS_BUILD_DIR)) {
        dirs_.push_back(std::move(d));
    }
}

std::optional<std::string> PluginSearchPath::resolve(const std::string& path,
                                                     const std::string& config_dir) const {
    if (path.empty()) return std::nullopt;
    std::error_code ec;
    auto found = [&](const fs::path& p) { return fs::is_regular_file(p, ec); };
    auto absolute = [&](const fs::path& p) {
        return fs::absolute(p, ec).lexically_normal().string();
    };
    if (fs::path(path).is_absolute()) {
        if (found(path)) return absolute(path);
        return std::nullopt;
    }
    for (const auto& c :
         candidates(config_dir.empty() ? fs::path(".") : fs::path(config_dir), path)) {
        if (found(c)) return absolute(c);
    }
    for (const auto& dir : dirs_) {
        for (const auto& c : candidates(dir, path)) {
            if (found(c)) return absolute(c);
        }
    }
    return std::nullopt;
}

std::string PluginSearchPath::searched(const std::string& path,
                                       const std::string& config_dir) const {
    if (fs::path(path).is_absolute()) return "no such file";
    std::string out = "looked in " + (config_dir.empty() ? std::string(".") : config_dir);
    for (const auto& d : dirs_) out += ", " + d;
    return out;
}

}  // namespace regpoll::plugin
