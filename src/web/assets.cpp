#include "web/assets.hpp"

namespace regpoll::web {

const Asset* find_asset(std::string_view name) {
    for (const auto& a : assets()) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

std::string_view content_type_of(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    return "application/octet-stream";
}

}  // namespace regpoll::web
