#pragma once
// The official SunSpec model definitions beside the checkout (../shared/reference/
// sunspec-models, resolved from the source tree's parent), for tests that check regpoll's
// tables against the specification rather than against themselves.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace regpoll::testing {

inline std::filesystem::path reference_models_dir() {
    return std::filesystem::path(REGPOLL_SOURCE_DIR).parent_path() / "shared" / "reference" /
           "sunspec-models";
}

inline bool have_reference_models() {
    return std::filesystem::exists(reference_models_dir() / "model_1.json");
}

inline const char* no_reference_models_reason() {
    return "the SunSpec model definitions are not beside the checkout "
           "(../shared/reference/sunspec-models/model_1.json is missing)";
}

inline nlohmann::json reference_model(int id) {
    std::ifstream in(reference_models_dir() / ("model_" + std::to_string(id) + ".json"));
    return nlohmann::json::parse(in);
}

}  // namespace regpoll::testing
