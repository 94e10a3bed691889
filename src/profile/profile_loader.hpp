#pragma once
// Device profiles: load one file, and find profiles by library name ("growatt/min-tl-x")
// in the profile library folders.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"
#include "profile/point.hpp"
#include "profile/point_types.hpp"

namespace regpoll::profile {

// Parses a "limits" object (profiles and devices share it) on top of `base`.
Limits parse_limits(JsonReader& reader, Limits base);

// `types`: decoder plugins' point types the profile may use besides the codec's.
std::optional<Profile> load_profile(const std::string& path, Diagnostics& diag, const PointTypes* types = nullptr);

// The profile library folders a binary at `executable` uses by default: the installed
// library next to it (<bindir>/../share/regpoll/devices); and, only for a binary inside the
// build tree, the source tree's devices/ (so an installed regpoll never silently reads the
// checkout it was built from).
std::vector<std::string> default_library_dirs(const std::string& executable);

// Where library names are looked up, in order: $REGPOLL_DEVICES (colon-separated), the
// folders given, then default_library_dirs() of the running binary.
class ProfileLibrary {
public:
    explicit ProfileLibrary(std::vector<std::string> extra_dirs = {});
    const std::vector<std::string>& dirs() const { return dirs_; }

    // A library name ("eastron/sdm630") or a path to a .json file; relative paths are taken
    // from `base_dir` (the config file's folder). Profiles are loaded once and shared.
    std::shared_ptr<const Profile> find(const std::string& ref, const std::string& base_dir,
                                        Diagnostics& diag, const std::string& file,
                                        const std::string& json_path);
    // Every *.json profile under the library folders (schema.json excluded).
    std::vector<std::string> list_files() const;
    // Point types of decoder plugins, for the profiles found from now on.
    void set_point_types(std::shared_ptr<const PointTypes> types) { types_ = std::move(types); }
    const PointTypes* point_types() const { return types_.get(); }

private:
    std::shared_ptr<const PointTypes> types_;
    std::vector<std::string> dirs_;
    std::map<std::string, std::shared_ptr<const Profile>> cache_;
};

}  // namespace regpoll::profile
