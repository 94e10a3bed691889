#include "app/unit_list.hpp"

#include "app/session.hpp"

namespace regpoll::app {

// "1-247", "1,2,5-9" -> sorted unique ids; nullopt (after a usage error) when malformed.
std::optional<std::vector<int>> parse_units(const std::string& text, const std::string& option) {
    std::vector<bool> seen(256, false);
    std::size_t pos = 0;
    auto bad = [&]() -> std::optional<std::vector<int>> {
        print_error(option + " \"" + text +
                    "\" is not a list of unit ids 0-255 (e.g. 1-247 or 1,3,10-20)");
        return std::nullopt;
    };
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string item =
            text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        const auto dash = item.find('-');
        try {
            std::size_t used = 0;
            int lo = std::stoi(item.substr(0, dash), &used);
            if (used != (dash == std::string::npos ? item.size() : dash)) return bad();
            int hi = lo;
            if (dash != std::string::npos) {
                const std::string rest = item.substr(dash + 1);
                hi = std::stoi(rest, &used);
                if (used != rest.size()) return bad();
            }
            if (lo < 0 || hi > 255 || lo > hi) return bad();
            for (int u = lo; u <= hi; ++u) seen[static_cast<std::size_t>(u)] = true;
        } catch (const std::exception&) {
            return bad();
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    std::vector<int> units;
    for (int u = 0; u < 256; ++u) {
        if (seen[static_cast<std::size_t>(u)]) units.push_back(u);
    }
    return units;
}

}  // namespace regpoll::app
