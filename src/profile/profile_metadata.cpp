#include "profile/profile_metadata.hpp"

#include <algorithm>

namespace regpoll::profile {
namespace {

// A list of non-empty, distinct strings; with `allowed`, each must be one of them.
std::vector<std::string> string_list(JsonReader& r, const std::string& key,
                                     const std::vector<std::string>* allowed = nullptr) {
    std::vector<std::string> out;
    const Json* list = r.get(key);
    if (!list) return out;
    if (!list->is_array() || list->empty()) {
        r.error(key, shown(*list) + " is not a non-empty list of strings");
        return out;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& item = (*list)[i];
        const std::string where = key + "/" + std::to_string(i);
        if (!item.is_string() || item.get<std::string>().empty()) {
            r.error(where, shown(item) + " is not a non-empty string");
            continue;
        }
        const auto text = item.get<std::string>();
        if (allowed && std::find(allowed->begin(), allowed->end(), text) == allowed->end()) {
            std::string names;
            for (const auto& a : *allowed) names += (names.empty() ? "" : ", ") + a;
            r.error(where, "\"" + text + "\" is not a transport (expected one of " + names + ")");
            continue;
        }
        if (std::find(out.begin(), out.end(), text) != out.end()) {
            r.error(where, "\"" + text + "\" is listed twice");
            continue;
        }
        out.push_back(text);
    }
    return out;
}

}  // namespace

const std::vector<std::string>& transport_schemes() {
    static const std::vector<std::string> schemes{"tcp",       "rtu",        "ascii",      "rtu+tcp",
                                                  "ascii+tcp", "tcp+listen", "rtu+listen", "shine+listen"};
    return schemes;
}

ProfileMetadata parse_profile_metadata(JsonReader& r, JsonReader* limits) {
    ProfileMetadata m;
    m.models = string_list(r, "models");
    m.transports = string_list(r, "transports", &transport_schemes());
    if (limits) {
        if (auto v = limits->integer("default_unit", 0, 255)) m.default_unit = static_cast<std::uint8_t>(*v);
        if (auto v = limits->integer("default_port", 1, 65535)) m.default_port = static_cast<std::uint16_t>(*v);
    }
    return m;
}

std::optional<ProfileMetadata> load_profile_metadata(const std::string& path, Diagnostics& diag) {
    auto json = load_json_file(path, diag);
    if (!json) return std::nullopt;
    JsonReader r(*json, path, "", diag);
    if (!r.is_object()) return std::nullopt;
    const Json* limits = r.get("limits");
    if (limits && limits->is_object()) {
        JsonReader lr(*limits, path, "/limits", diag);
        return parse_profile_metadata(r, &lr);
    }
    return parse_profile_metadata(r, nullptr);
}

}  // namespace regpoll::profile
