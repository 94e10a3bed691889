#include "profile/profile_loader.hpp"

#include <algorithm>
#include <filesystem>

#include "common/env_dirs.hpp"

#include "profile/keepalive_parser.hpp"
#include "profile/point_parser.hpp"
#include "profile/profile_metadata.hpp"

// Set by src/profile/CMakeLists.txt: the installed library relative to the installed binary's
// folder, and the build and source trees (the source library is used only by binaries that
// run from the build tree).
#ifndef REGPOLL_DEVICES_FROM_BINDIR
#define REGPOLL_DEVICES_FROM_BINDIR "../share/regpoll/devices"
#endif
#ifndef REGPOLL_BUILD_DIR
#define REGPOLL_BUILD_DIR ""
#endif
#ifndef REGPOLL_DEVICES_SOURCE_DIR
#define REGPOLL_DEVICES_SOURCE_DIR ""
#endif

namespace regpoll::profile {

namespace fs = std::filesystem;

std::vector<std::string> default_library_dirs(const std::string& executable) {
    return binary_data_dirs(executable, REGPOLL_DEVICES_FROM_BINDIR, REGPOLL_BUILD_DIR, REGPOLL_DEVICES_SOURCE_DIR);
}

Limits parse_limits(JsonReader& r, Limits base) {
    if (auto v = r.integer("max_registers", 1, 125)) base.max_registers = static_cast<std::uint16_t>(*v);
    if (auto v = r.integer("max_bits", 1, 2000)) base.max_bits = static_cast<std::uint16_t>(*v);
    if (auto v = r.integer("max_gap", 0, 124)) base.max_gap = static_cast<std::uint16_t>(*v);
    if (auto v = r.duration("pause_after_connect")) base.pause_after_connect = *v;
    if (auto v = r.duration("pause_between_requests")) base.pause_between_requests = *v;
    if (auto v = r.boolean("single_connection")) base.single_connection = *v;
    if (auto v = r.duration("write_watchdog")) {
        if (v->count() <= 0) r.error("write_watchdog", "a write watchdog must be longer than 0");
        else base.write_watchdog = *v;
    }
    r.reject_unknown("max_registers, max_bits, max_gap, pause_after_connect, pause_between_requests, "
                     "single_connection, write_watchdog");
    return base;
}

std::optional<Profile> load_profile(const std::string& path, Diagnostics& diag, const PointTypes* types) {
    const std::size_t errors_before = diag.errors().size();
    auto json = load_json_file(path, diag);
    if (!json) return std::nullopt;
    JsonReader r(*json, path, "", diag);
    if (!r.is_object()) return std::nullopt;
    Profile profile;
    profile.file = path;
    if (auto m = r.string("manufacturer")) profile.manufacturer = *m;
    else if (!r.has("manufacturer")) r.error_here("a profile needs a \"manufacturer\"");
    if (auto m = r.string("model")) profile.model = *m;
    else if (!r.has("model")) r.error_here("a profile needs a \"model\"");
    profile.source = r.string("source").value_or("");
    profile.protocol = r.string("protocol").value_or("");
    profile.description = r.string("description").value_or("");
    const Json* defaults = r.get("defaults");
    if (defaults) check_point_defaults(*defaults, path, "/defaults", diag);
    // The product metadata is checked here and read on demand (profile_metadata.hpp);
    // default_unit and default_port are read before parse_limits, which refuses them in a
    // device's limits.
    if (const Json* limits = r.get("limits")) {
        JsonReader lr(*limits, path, "/limits", diag);
        parse_profile_metadata(r, &lr);
        profile.limits = parse_limits(lr, profile.limits);
    } else {
        parse_profile_metadata(r, nullptr);
    }
    const Json* points = r.get("points");
    if (!points || !points->is_array() || points->empty()) {
        r.error_here(points ? "\"points\" must be a non-empty list" : "a profile needs \"points\"");
    } else {
        for (std::size_t i = 0; i < points->size(); ++i) {
            JsonReader pr((*points)[i], path, "/points/" + std::to_string(i), diag);
            pr.set_defaults(defaults, "/defaults");
            if (auto p = parse_point(pr, types)) profile.points.push_back(std::move(*p));
        }
    }
    if (const Json* identify = r.get("identify")) {
        JsonReader ir(*identify, path, "/identify", diag);
        profile.identify = parse_identify(ir, profile.points);
    }
    if (const Json* keepalive = r.get("keepalive")) {
        profile.keepalive = parse_keepalive(*keepalive, profile.points, profile.limits, path, "/keepalive", diag);
    }
    r.reject_unknown("manufacturer, model, models, source, protocol, description, transports, defaults, limits, "
                     "points, identify, keepalive");
    check_points(profile.points, path, diag);
    if (diag.errors().size() != errors_before) return std::nullopt;
    return profile;
}

ProfileLibrary::ProfileLibrary(std::vector<std::string> extra_dirs) {
    dirs_ = env_dirs("REGPOLL_DEVICES");
    for (auto& d : extra_dirs) dirs_.push_back(std::move(d));
    for (auto& d : default_library_dirs("/proc/self/exe")) dirs_.push_back(std::move(d));
}

std::shared_ptr<const Profile> ProfileLibrary::find(const std::string& ref, const std::string& base_dir,
                                                    Diagnostics& diag, const std::string& file,
                                                    const std::string& json_path) {
    std::string path;
    const bool is_path = ref.ends_with(".json") || ref.find("./") == 0 || ref.find("../") == 0 || ref.front() == '/';
    if (is_path) {
        fs::path p(ref);
        if (p.is_relative()) p = fs::path(base_dir) / p;
        path = p.lexically_normal().string();
        if (!fs::exists(path)) {
            diag.error(file, json_path, "profile file \"" + path + "\" does not exist");
            return nullptr;
        }
    } else {
        for (const auto& dir : dirs_) {
            const fs::path candidate = fs::path(dir) / (ref + ".json");
            if (fs::exists(candidate)) {
                path = candidate.string();
                break;
            }
        }
        if (path.empty()) {
            std::string searched;
            for (const auto& d : dirs_) searched += (searched.empty() ? "" : ", ") + d;
            diag.error(file, json_path, "unknown profile \"" + ref + "\" (looked in " + searched + ")");
            return nullptr;
        }
    }
    if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    auto loaded = load_profile(path, diag, types_.get());
    if (!loaded) {
        diag.error(file, json_path, "profile \"" + ref + "\" has errors (listed above)");
        cache_[path] = nullptr;
        return nullptr;
    }
    auto shared = std::make_shared<const Profile>(std::move(*loaded));
    cache_[path] = shared;
    return shared;
}

std::vector<std::string> ProfileLibrary::list_files() const {
    std::vector<std::string> files;
    for (const auto& dir : dirs_) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
            if (entry.is_regular_file() && entry.path().extension() == ".json" &&
                entry.path().filename() != "schema.json") {
                files.push_back(entry.path().string());
            }
        }
        if (!files.empty()) break;  // the first library folder that has profiles
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace regpoll::profile
