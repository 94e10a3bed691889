#pragma once
// Request targets: path and query split, %XX decoded, and paths that try to leave the
// tree ("..", encoded or not) recognised.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace regpoll::web {

// %XX and (in queries) '+' decoded; nullopt for a malformed escape or a NUL byte.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);

// name=value pairs of a query (the part after '?'); nullopt when one is malformed. A name
// given twice keeps its first value.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

// True when a decoded path has a "." or ".." segment or a backslash.
bool escapes_tree(std::string_view decoded_path);

}  // namespace regpoll::web
