#include "profile/json_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/duration.hpp"

namespace regpoll::profile {

std::optional<Json> load_json_file(const std::string& path, Diagnostics& diag) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // The reason matters most where the reader is another user than the file's owner
        // (a container's uid 10001, a service user): "Permission denied" says what to fix.
        diag.error(path, "", std::string("cannot open the file (") +
                                 (errno ? std::strerror(errno) : "unknown reason") + ")");
        return std::nullopt;
    }
    std::error_code dir_error;
    if (std::filesystem::is_directory(path, dir_error)) {
        diag.error(path, "", "cannot open the file (Is a directory)");
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    try {
        return Json::parse(content, nullptr, true, /*ignore_comments=*/true);
    } catch (const Json::parse_error& e) {
        // Turn the byte offset into line:column, which editors understand.
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < content.size(); ++i) {
            if (content[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string what = e.what();
        if (const auto pos = what.find("parse error"); pos != std::string::npos) what = what.substr(pos);
        diag.error(path + ":" + std::to_string(line) + ":" + std::to_string(column), "",
                   "invalid JSON (" + what + ")");
        return std::nullopt;
    }
}

std::string shown(const Json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

const char* json_type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::object: return "an object";
        case Json::value_t::array: return "an array";
        case Json::value_t::string: return "a string";
        case Json::value_t::boolean: return "a boolean";
        case Json::value_t::null: return "null";
        default: return "a number";
    }
}

JsonReader::JsonReader(const Json& object, std::string file, std::string path, Diagnostics& diag)
    : object_(object.is_object() ? &object : nullptr), file_(std::move(file)), path_(std::move(path)),
      diag_(diag) {
    if (!object_) diag_.error(file_, path_.empty() ? "/" : path_, std::string("expected an object, found ") + json_type_name(object));
}

void JsonReader::set_defaults(const Json* defaults, std::string defaults_path) {
    defaults_ = defaults && defaults->is_object() ? defaults : nullptr;
    defaults_path_ = std::move(defaults_path);
}

bool JsonReader::has(const std::string& key, bool own_only) const {
    if (object_ && object_->contains(key)) return true;
    return !own_only && defaults_ && !ignored_defaults_.count(key) && defaults_->contains(key);
}

const Json* JsonReader::get(const std::string& key) {
    seen_.insert(key);
    if (!object_) return nullptr;
    if (auto it = object_->find(key); it != object_->end()) return &*it;
    if (defaults_ && !ignored_defaults_.count(key)) {
        if (auto it = defaults_->find(key); it != defaults_->end()) {
            from_defaults_.insert(key);
            return &*it;
        }
    }
    return nullptr;
}

void JsonReader::error(const std::string& key, const std::string& message) {
    diag_.error(file_, from_defaults_.count(key) ? defaults_path_ + "/" + key : child_path(key), message);
}

void JsonReader::error_here(const std::string& message) {
    diag_.error(file_, path_.empty() ? "/" : path_, message);
}

std::optional<std::string> JsonReader::string(const std::string& key) {
    const Json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        error(key, "expected a string, found " + shown(*v));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<double> JsonReader::number(const std::string& key) {
    const Json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
        error(key, "expected a number, found " + shown(*v));
        return std::nullopt;
    }
    const double d = v->get<double>();
    if (!std::isfinite(d)) {
        error(key, "expected a finite number, found " + shown(*v));
        return std::nullopt;
    }
    return d;
}

std::optional<long long> JsonReader::integer(const std::string& key, long long lo, long long hi) {
    const Json* v = get(key);
    if (!v) return std::nullopt;
    const std::string range = " (expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ")";
    if (v->is_number_integer() || v->is_number_unsigned()) {
        // unsigned values above LLONG_MAX are out of every range we use
        if (v->is_number_unsigned() && v->get<unsigned long long>() > static_cast<unsigned long long>(hi)) {
            error(key, shown(*v) + " is out of range" + range);
            return std::nullopt;
        }
        const long long n = v->get<long long>();
        if (n < lo || n > hi) {
            error(key, shown(*v) + " is out of range" + range);
            return std::nullopt;
        }
        return n;
    }
    error(key, (v->is_number() ? shown(*v) + " is not an integer" : "expected an integer, found " + shown(*v)) + range);
    return std::nullopt;
}

std::optional<bool> JsonReader::boolean(const std::string& key) {
    const Json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        error(key, "expected true or false, found " + shown(*v));
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<std::chrono::milliseconds> JsonReader::duration(const std::string& key) {
    const Json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        error(key, "expected a duration string such as \"10s\", found " + shown(*v));
        return std::nullopt;
    }
    auto d = parse_duration(v->get<std::string>());
    if (!d) {
        error(key, d.error());
        return std::nullopt;
    }
    return *d;
}

std::optional<std::string> JsonReader::choice(const std::string& key,
                                              std::initializer_list<const char*> choices) {
    auto s = string(key);
    if (!s) return std::nullopt;
    std::string list;
    for (const char* c : choices) {
        if (*s == c) return s;
        list += (list.empty() ? "" : ", ") + std::string(c);
    }
    error(key, shown(Json(*s)) + " is not one of " + list);
    return std::nullopt;
}

void JsonReader::reject_unknown(const std::string& expected_keys) {
    if (!object_) return;
    for (const auto& [key, value] : object_->items()) {
        if (!seen_.count(key)) error(key, "unknown key \"" + key + "\" (expected " + expected_keys + ")");
    }
}

std::string read_secret_file(const std::string& path, JsonReader& r, const std::string& key) {
    std::ifstream in(path);
    if (!in) {
        r.error(key, "cannot read \"" + path + "\"");
        return {};
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace regpoll::profile
