#pragma once
// Where regpoll looks for its data folders (profiles, plugins): folder lists from the
// environment, and the folders that come with the binary.
#include <string>
#include <vector>

namespace regpoll {

// The folders $<variable> lists; none when it is unset or empty.
std::vector<std::string> env_dirs(const char* variable);

// A data folder of the binary at `executable` (e.g. /proc/self/exe): `from_bindir` relative
// to its folder (an installed tree works wherever it was installed); and, only for a binary
// inside `build_dir`, `build_tree_dir` (so an installed regpoll never silently reads the
// checkout it was built from). The installed folder comes first when it exists.
// Where a file regpoll keeps (history, MQTT outbox) goes: an absolute `path` as it is; a
// relative one in $STATE_DIRECTORY (set by systemd's StateDirectory=, whose service cannot
// write next to its configuration; the first folder when it lists several), or else in the
// folder of `config_file`, so a configuration works whatever the current directory is.
std::string state_file(const std::string& config_file, const std::string& path);

std::vector<std::string> binary_data_dirs(const std::string& executable, const std::string& from_bindir,
                                          const std::string& build_dir, const std::string& build_tree_dir);

}  // namespace regpoll
