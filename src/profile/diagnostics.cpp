#include "profile/diagnostics.hpp"

namespace regpoll::profile {

std::string Diagnostics::place(const std::string& file, const std::string& json_path) {
    std::string out = file;
    if (!json_path.empty()) out += (out.empty() ? "" : ": ") + json_path;
    return out;
}

void Diagnostics::error(const std::string& file, const std::string& json_path,
                        const std::string& message) {
    std::string line = place(file, json_path) + ": " + message;
    // A bad profile default is met once per point; say it once.
    for (const auto& e : errors_) {
        if (e == line) return;
    }
    errors_.push_back(std::move(line));
}

void Diagnostics::warning(const std::string& file, const std::string& json_path,
                          const std::string& message) {
    warnings_.push_back(place(file, json_path) + ": " + message);
}

}  // namespace regpoll::profile
