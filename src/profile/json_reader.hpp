#pragma once
// Typed access to one JSON object with every mistake reported to Diagnostics under its
// JSON path. Keys that are read are remembered, so unknown keys can be reported once.
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "profile/diagnostics.hpp"

namespace regpoll::profile {

using Json = nlohmann::json;

// Reads a JSON file (comments allowed); reports a missing file or a syntax error with
// line and column. nullopt after an error.
std::optional<Json> load_json_file(const std::string& path, Diagnostics& diag);

// Shows a JSON value the way a user wrote it, for messages: "flaot32", 12, [1,2].
std::string shown(const Json& value);
const char* json_type_name(const Json& value);

class JsonReader;

// What a secret's file (a password) holds, trailing line breaks removed; an error
// under `key` of `r` (and "") when the file cannot be read.
std::string read_secret_file(const std::string& path, JsonReader& r, const std::string& key);

class JsonReader {
public:
    JsonReader(const Json& object, std::string file, std::string path, Diagnostics& diag);

    bool is_object() const { return object_ != nullptr; }
    // Keys missing from the object are looked up in `defaults` (a profile's "defaults"),
    // and errors about them point there.
    void set_defaults(const Json* defaults, std::string defaults_path);
    // Present in the object itself, or in its defaults unless `own_only`.
    bool has(const std::string& key, bool own_only = false) const;
    // Makes has()/get() ignore the defaults' value for `key`.
    void ignore_default(const std::string& key) { ignored_defaults_.insert(key); }
    const Json* get(const std::string& key);  // marks the key as known
    std::string child_path(const std::string& key) const { return path_ + "/" + key; }
    std::string child_path(std::size_t index) const { return path_ + "/" + std::to_string(index); }

    std::optional<std::string> string(const std::string& key);
    std::optional<double> number(const std::string& key);
    // An integer in [lo, hi]; a number with a fraction or out of range is an error.
    std::optional<long long> integer(const std::string& key, long long lo, long long hi);
    std::optional<bool> boolean(const std::string& key);
    std::optional<std::chrono::milliseconds> duration(const std::string& key);
    // One of `choices`; the error lists them.
    std::optional<std::string> choice(const std::string& key, std::initializer_list<const char*> choices);

    void error(const std::string& key, const std::string& message);
    void error_here(const std::string& message);
    // Reports every key not read through get() and friends.
    void reject_unknown(const std::string& expected_keys);

    const std::string& file() const { return file_; }
    const std::string& path() const { return path_; }
    Diagnostics& diag() { return diag_; }

private:
    const Json* object_;
    std::string file_;
    std::string path_;
    Diagnostics& diag_;
    std::set<std::string> seen_;
    const Json* defaults_ = nullptr;
    std::string defaults_path_;
    std::set<std::string> from_defaults_;
    std::set<std::string> ignored_defaults_;
};

}  // namespace regpoll::profile
