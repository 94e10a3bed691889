#pragma once
// A site configuration for poller tests, written as files (the site and any profiles it
// names by "./file.json") into a temporary folder and loaded as `regpoll run` loads it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "profile/site_config.hpp"

namespace regpoll::poll::testing {

// `files`: name -> text; `site` names the one to load. Throws with every error when it does
// not load.
inline std::shared_ptr<const profile::SiteConfig> load_site_files(const std::map<std::string, std::string>& files,
                                                                  const std::string& site) {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("regpoll-poll-test-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
    profile::ProfileLibrary library;
    auto result = profile::load_site_config((dir / site).string(), library);
    fs::remove_all(dir);
    if (!result.config) {
        std::string all;
        for (const auto& e : result.diagnostics.errors()) all += e + "\n";
        throw std::runtime_error("config does not load:\n" + all);
    }
    return std::make_shared<const profile::SiteConfig>(std::move(*result.config));
}

}  // namespace regpoll::poll::testing
