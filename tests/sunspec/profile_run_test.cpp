// The profile `regpoll discover --out` writes is an ordinary profile: `validate` accepts it
// and `regpoll run --once` on it gives the values the pymodbus server holds (the ones the
// official model JSON puts there), for every model tested end to end.
#include <gtest/gtest.h>

#include <map>

#include "regpoll_cli.hpp"
#include "sunspec/profile_writer.hpp"
#include "sunspec_peer.hpp"

namespace regpoll::testing {
namespace {

using nlohmann::json;

const std::vector<int> tested_models{1,   101, 102, 103, 111, 112, 113, 120, 121, 122, 123,
                                     124, 160, 201, 202, 203, 204, 211, 212, 213, 214, 701,
                                     702, 704, 705, 713, 714, 802, 803, 804, 805, 1,   203};

json chain_of(const std::vector<int>& ids) {
    json models = json::array();
    for (int id : ids) {
        json m{{"id", id}, {"repeats", 2}};
        if (id == 103) m["na"] = {"W", "PhVphB", "St", "Evt1"}, m["na_sf"] = {"A_SF"};
        if (id == 113) m["na"] = {"W"};
        if (id == 203) m["na"] = {"TotWhImp"};
        if (id == 122) m["na"] = {"PVConn", "ActWh"};
        if (id == 701) m["na"] = {"Hz", "TotWhInj"};
        models.push_back(m);
    }
    return {{"base", 40000}, {"end", "ffff"}, {"models", models}};
}

std::map<std::string, json> samples_by_point(const std::string& jsonl) {
    std::map<std::string, json> out;
    std::istringstream in(jsonl);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        auto j = json::parse(line);
        out[j["point"].get<std::string>()] = j;
    }
    return out;
}

// What the profile shows for a raw value the server holds: enum symbols and bit names.
json shown(const json& profile_point, const json& value) {
    if (value.is_null() || !value.is_number_integer()) return value;
    const auto raw = value.get<std::uint64_t>();
    if (profile_point.contains("map")) {
        const auto key = std::to_string(raw);
        return profile_point["map"].contains(key) ? profile_point["map"][key] : json(key);
    }
    if (profile_point.contains("bits")) {
        std::string names;
        for (const auto& [bit, name] : profile_point["bits"].items()) {
            if ((raw >> std::stoi(bit)) & 1U)
                names += (names.empty() ? "" : ",") + name.get<std::string>();
        }
        return names;
    }
    return value;
}

TEST(SunspecProfile, RunOnceOnTheWrittenProfileGivesTheServersValues) {
    if (!have_reference_models()) GTEST_SKIP() << no_reference_models_reason();
    SunspecPeer peer(json{{"units", {{"1", chain_of(tested_models)}}}});
    const auto profile_path = peer.file("discovered.json").string();
    auto r = regpoll({"discover", peer.uri(), "--out", profile_path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json profile = json::parse(std::ifstream(profile_path));
    EXPECT_NE(profile["source"].get<std::string>().find("SunSpec discovery of "),
              std::string::npos);
    EXPECT_NE(profile["source"].get<std::string>().find(", unit 1, base 40000"), std::string::npos);
    std::map<std::string, json> by_name;
    for (const auto& p : profile["points"]) by_name[p["name"].get<std::string>()] = p;
    // Identity strings and the scale factors the specification marks static are read once a
    // day (the poller keeps them for the points they scale); the others every cycle.
    EXPECT_EQ(by_name.at("m1_sn").value("interval", ""), "24h");
    EXPECT_EQ(by_name.at("m701_a_sf").value("interval", ""), "24h");
    EXPECT_EQ(by_name.at("m714_dcw_sf").value("interval", ""), "24h");
    EXPECT_FALSE(by_name.at("m103_a_sf").contains("interval"));
    EXPECT_FALSE(by_name.at("m103_a").contains("interval"));

    const auto config = peer.file("site.json").string();
    std::ofstream(config)
        << json{{"buses", {{{"name", "b"}, {"uri", peer.uri()}, {"timeout", "1s"}}}},
                {"devices",
                 {{{"name", "inv"}, {"bus", "b"}, {"unit", 1}, {"profile", profile_path}}}}}
               .dump();
    auto valid = regpoll({"validate", "-c", config, "-q"});
    ASSERT_EQ(valid.exit_code, 0) << valid.out << valid.err;
    auto run =
        regpoll({"run", "-c", config, "--once", "--output", "jsonl"}, std::chrono::seconds(60));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto samples = samples_by_point(run.out);

    std::size_t device = 0, compared = 0;
    std::map<int, int> seen;
    bool first = true;
    for (const auto& m : peer.expected(1)["models"]) {
        const int id = m["id"].get<int>();
        if (id == 1 && !first) ++device, seen.clear();
        first = false;
        const int k = ++seen[id];
        for (const auto& [path, want] : m["points"].items()) {
            const auto type = want["type"].get<std::string>();
            if (type == "ipv6addr" || type == "eui48") continue;  // no regpoll type shows them
            std::string name =
                sunspec::profile_point_name(device, static_cast<std::uint16_t>(id), "");
            if (k > 1) name += std::to_string(k) + "_";
            name += sunspec::snake_name(path);
            SCOPED_TRACE(name + " (" + path + ")");
            auto p = by_name.find(name);
            if (p == by_name.end()) {
                ADD_FAILURE() << "not in the profile";
                continue;
            }
            EXPECT_EQ(p->second["address"], want["address"]);
            auto s = samples.find(name);
            if (s == samples.end()) {
                ADD_FAILURE() << "no sample";
                continue;
            }
            EXPECT_TRUE(same_value(s->second["value"], shown(p->second, want["value"])));
            ++compared;
        }
    }
    EXPECT_GT(compared, 1000u);
}

}  // namespace
}  // namespace regpoll::testing
