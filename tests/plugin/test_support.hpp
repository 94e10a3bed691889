#pragma once
// Shared by the plugin tests: a temporary folder per test, files in it, the plugin files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace regpoll::plugin::testing {

inline std::string test_plugin(const std::string& name) {
    return std::string(TEST_PLUGIN_DIR) + "/" + name + ".so";
}

// A fresh folder for one test: /tmp/regpoll-plugin-test-<pid>/<name>.
inline std::string temp_dir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("regpoll-plugin-test-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

inline std::string write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    return path;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace regpoll::plugin::testing
