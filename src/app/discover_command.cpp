// regpoll discover: find a device's SunSpec models (base, chain, subdevices), print them as
// a tree or one JSON object, and with --out write them as an ordinary regpoll profile.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/sunspec_reader.hpp"
#include "app/unit_list.hpp"
#include "sunspec/chain_report.hpp"
#include "sunspec/profile_writer.hpp"

namespace regpoll::app {
namespace {

// Where vendors put SunSpec (anchors: evcc's detect list): 1-3 most, 71 some gateways, 126
// SMA, 200-204 and 240 Fronius meters.
const std::vector<int> auto_units{1, 2, 3, 71, 126, 200, 201, 202, 203, 204, 240};

struct UnitResult {
    int unit = 0;
    std::optional<sunspec::Chain> chain;
    std::string error;
};

UnitResult discover_unit(Session& session, int unit, std::optional<std::uint16_t> base) {
    UnitResult r;
    r.unit = unit;
    session.set_unit(static_cast<std::uint8_t>(unit));
    const auto read = holding_reader(session);
    auto found = sunspec::find_base(read, base);
    if (!found) {
        r.error = found.error();
        return r;
    }
    auto chain = sunspec::walk_chain(read, static_cast<std::uint8_t>(unit), *found);
    if (!chain) {
        r.error = "SunSpec marker at " + std::to_string(*found) + ", then " + chain.error();
        return r;
    }
    r.chain = std::move(*chain);
    return r;
}

// --base: false after a usage error; `base` stays empty for "auto".
bool parse_base(const std::string& text, std::optional<std::uint16_t>& base) {
    if (text == "auto") return true;
    try {
        std::size_t used = 0;
        const long v = std::stol(text, &used, 0);
        if (used == text.size() && v >= 0 && v <= 65533) {
            base = static_cast<std::uint16_t>(v);
            return true;
        }
    } catch (const std::exception&) {
    }
    print_error("--base \"" + text + "\" is not auto or a register address (0-65533)");
    return false;
}

std::optional<std::vector<int>> units_of(const DiscoverArgs& a) {
    if (a.units.empty()) return std::vector<int>{a.link.unit};
    if (a.units == "auto") return auto_units;
    return parse_units(a.units);
}

void print_results(const DiscoverArgs& a, const std::vector<UnitResult>& results) {
    if (a.json) {
        // Filled apart: an ordered_json's members move when a key is added.
        auto tried = nlohmann::ordered_json::array();
        auto chains = nlohmann::ordered_json::array();
        for (const auto& r : results) {
            nlohmann::ordered_json t;
            t["unit"] = r.unit;
            t["sunspec"] = r.chain.has_value();
            if (r.chain)
                chains.push_back(sunspec::chain_json(*r.chain));
            else
                t["error"] = r.error;
            tried.push_back(std::move(t));
        }
        nlohmann::ordered_json j;
        j["uri"] = a.link.uri;
        j["tried"] = std::move(tried);
        j["chains"] = std::move(chains);
        std::cout << j.dump(2) << "\n";
        return;
    }
    const bool several = results.size() > 1;
    for (const auto& r : results) {
        if (several) {
            std::cout << "unit " << r.unit << ": "
                      << (r.chain ? "SunSpec at base " + std::to_string(r.chain->base)
                                  : "no SunSpec (" + r.error + ")")
                      << "\n";
        } else if (!r.chain) {
            print_error("unit " + std::to_string(r.unit) + ": " + r.error);
        }
    }
    for (const auto& r : results) {
        if (r.chain) std::cout << sunspec::chain_text(*r.chain);
    }
}

int write_profile(const DiscoverArgs& a, const std::vector<UnitResult>& results) {
    const UnitResult* only = nullptr;
    std::string units;
    for (const auto& r : results) {
        if (!r.chain) continue;
        units += (units.empty() ? "" : ", ") + std::to_string(r.unit);
        if (only) {
            print_error("--out writes one device's profile, but units " + units +
                        " answered: pick one with --unit");
            return exit_usage;
        }
        only = &r;
    }
    if (!only) return exit_failure;
    const auto profile = sunspec::profile_json(*only->chain, {});
    std::ofstream out(a.out);
    out << profile.dump(2) << "\n";
    if (!out) {
        print_error("--out " + a.out + ": cannot write the file");
        return exit_failure;
    }
    if (!a.json) std::cout << "profile written to " << a.out << "\n";
    return exit_ok;
}

}  // namespace

int run_discover(const DiscoverArgs& a) {
    std::optional<std::uint16_t> base;
    if (!parse_base(a.base, base)) return exit_usage;
    const auto units = units_of(a);
    if (!units) return exit_usage;
    auto session = Session::open(a.link);
    if (!session) return exit_usage;
    std::vector<UnitResult> results;
    bool any = false;
    for (int unit : *units) {
        results.push_back(discover_unit(*session, unit, base));
        any = any || results.back().chain.has_value();
    }
    print_results(a, results);
    if (!any) return exit_failure;
    return a.out.empty() ? exit_ok : write_profile(a, results);
}

}  // namespace regpoll::app
