#include "common/env_dirs.hpp"

#include <cstdlib>

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

}  // namespace regpoll
