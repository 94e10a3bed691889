#pragma once
// Collects configuration errors so a user sees all of them at once, each naming its place:
// `devices/eastron/sdm630.json: /points/4/type: "flaot32" is not a type (expected ...)`.
#include <string>
#include <vector>

namespace regpoll::profile {

class Diagnostics {
public:
    void error(const std::string& file, const std::string& json_path, const std::string& message);
    void warning(const std::string& file, const std::string& json_path, const std::string& message);
    bool ok() const { return errors_.empty(); }
    const std::vector<std::string>& errors() const { return errors_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    static std::string place(const std::string& file, const std::string& json_path);
    std::vector<std::string> errors_;
    std::vector<std::string> warnings_;
};

}  // namespace regpoll::profile
