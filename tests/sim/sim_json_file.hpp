#pragma once
// A sim.json written to a temporary file and loaded, for tests that build a configuration
// from text.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/sim_config.hpp"

namespace regpoll::sim::test {

class SimJsonFile {
  public:
    SimJsonFile() : library_({std::string(REGPOLL_SOURCE_DIR) + "/devices"}) {}

    SimConfigResult load(const std::string& text, const std::string& name = "sim.json") {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("regpoll-sim-json-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        path_ = (dir / name).string();
        std::ofstream(path_) << text;
        return load_sim_config(path_, library_);
    }

    SimConfigResult load_file(const std::string& path) { return load_sim_config(path, library_); }

    // The errors, without the file name in front (checked to be there).
    std::vector<std::string> errors(const std::string& text) {
        auto r = load(text);
        EXPECT_FALSE(r.config);
        std::vector<std::string> out;
        for (const auto& e : r.diagnostics.errors()) {
            EXPECT_EQ(e.rfind(path_ + ": ", 0), 0U) << e;
            out.push_back(e.substr(std::min(e.size(), path_.size() + 2)));
        }
        return out;
    }

    const std::string& path() const { return path_; }

  private:
    profile::ProfileLibrary library_;
    std::string path_;
};

}  // namespace regpoll::sim::test
