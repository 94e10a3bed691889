#pragma once
// Folder lists from the environment, as PATH writes them: "/a:/b" (empty entries skipped).
#include <string>
#include <vector>

namespace regpoll {

// The folders $<variable> lists; none when it is unset or empty.
std::vector<std::string> env_dirs(const char* variable);

}  // namespace regpoll
