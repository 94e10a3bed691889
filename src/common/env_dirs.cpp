#include "common/env_dirs.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace regpoll {

std::vector<std::string> env_dirs(const char* variable) {
    std::vector<std::string> dirs;
    const char* env = std::getenv(variable);
    if (!env) return dirs;
    const std::string list = env;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        const auto colon = list.find(':', pos);
        std::string dir =
            list.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
        if (!dir.empty()) dirs.push_back(std::move(dir));
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    return dirs;
}

namespace {

// Whether `path` is `dir` or inside it (both canonical).
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
    auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
    return d == dir.end();
}

}  // namespace

std::string state_file(const std::string& config_file, const std::string& path) {
    namespace fs = std::filesystem;
    if (fs::path(path).is_absolute()) return path;
    const auto state = env_dirs("STATE_DIRECTORY");
    const fs::path base = state.empty() ? fs::path(config_file).parent_path() : fs::path(state.front());
    return (base / path).string();
}

std::vector<std::string> binary_data_dirs(const std::string& executable, const std::string& from_bindir,
                                          const std::string& build_dir, const std::string& build_tree_dir) {
    namespace fs = std::filesystem;
    std::vector<std::string> dirs;
    std::error_code ec;
    const fs::path exe = fs::canonical(executable, ec);
    if (ec) return dirs;
    const fs::path installed = (exe.parent_path() / from_bindir).lexically_normal();
    const fs::path build = fs::weakly_canonical(build_dir, ec);
    const bool in_build_tree = !build_dir.empty() && !ec && is_inside(exe, build);
    if (!in_build_tree || fs::is_directory(installed, ec)) dirs.push_back(installed.string());
    if (in_build_tree && !build_tree_dir.empty()) dirs.push_back(build_tree_dir);
    return dirs;
}

}  // namespace regpoll
