#pragma once
// The page's files (HTML, script, style, Chart.js), embedded in the binary at build time by
// embed_assets.cmake: the page works offline and with no files installed beside regpoll.
#include <string_view>
#include <vector>

namespace regpoll::web {

struct Asset {
    std::string_view name;  // "index.html", "app.js", "chart.min.js"
    std::string_view body;
};

const std::vector<Asset>& assets();

// The asset called `name`, or nullptr.
const Asset* find_asset(std::string_view name);

// "text/html; charset=utf-8" and the like, from the name's extension.
std::string_view content_type_of(std::string_view name);

}  // namespace regpoll::web
