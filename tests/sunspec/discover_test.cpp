// `regpoll discover` against a pymodbus server whose SunSpec chains are built from the
// official model JSON (sunspec_chain.py): every supported model found at its address, its
// points scaled right and "n/a" where the device says "not implemented"; and the quirks of
// real devices, one test each.
#include <gtest/gtest.h>

#include "regpoll_cli.hpp"
#include "sunspec_peer.hpp"

namespace regpoll::testing {
namespace {

using nlohmann::json;

// The models issue 13 names as tested end to end, in one chain.
const std::vector<int> tested_models{1,   101, 102, 103, 111, 112, 113, 120, 121, 122, 123,
                                     124, 160, 201, 202, 203, 204, 211, 212, 213, 214, 701,
                                     702, 704, 705, 713, 714, 802, 803, 804, 805};

json model_spec(int id) {
    json m{{"id", id}, {"repeats", 2}};
    if (id == 1) m["values"] = {{"Mn", "regpoll"}, {"Md", "chain"}, {"SN", "42"}, {"Vr", "1.0"}};
    // One "not implemented" point of every sentinel kind: int16, uint16, enum16, bitfield32,
    // float32, acc32, bitfield16, acc64, uint32, uint64; and a scale factor.
    if (id == 103) m["na"] = {"W", "PhVphB", "St", "Evt1"}, m["na_sf"] = {"A_SF"};
    if (id == 113) m["na"] = {"W"};
    if (id == 203) m["na"] = {"TotWhImp"};
    if (id == 122) m["na"] = {"PVConn", "ActWh"};
    if (id == 701) m["na"] = {"Hz", "TotWhInj"};
    return m;
}

json chain_of(const std::vector<int>& ids, int base = 40000, const std::string& end = "ffff") {
    json models = json::array();
    for (int id : ids) models.push_back(model_spec(id));
    return {{"base", base}, {"end", end}, {"models", models}};
}

// Every model and point the server holds, found at the same address with the same value.
void expect_chain_matches(const json& got_chain, const json& expected) {
    ASSERT_EQ(got_chain["base"], expected["base"]);
    std::vector<json> got_models;
    for (const auto& d : got_chain["devices"]) {
        for (const auto& m : d["models"]) got_models.push_back(m);
    }
    ASSERT_EQ(got_models.size(), expected["models"].size());
    for (std::size_t i = 0; i < got_models.size(); ++i) {
        const auto& want = expected["models"][i];
        const auto& got = got_models[i];
        SCOPED_TRACE("model " + want["id"].dump());
        EXPECT_EQ(got["id"], want["id"]);
        EXPECT_EQ(got["address"], want["address"]);
        EXPECT_EQ(got["length"], want["length"]);
        std::map<std::string, json> by_name;
        for (const auto& p : got["points"]) by_name[p["name"].get<std::string>()] = p;
        for (const auto& [path, point] : want["points"].items()) {
            SCOPED_TRACE(path);
            auto it = by_name.find(path);
            if (it == by_name.end()) {
                ADD_FAILURE() << "point missing";
                continue;
            }
            EXPECT_EQ(it->second["address"], point["address"]);
            EXPECT_TRUE(same_value(it->second["value"], point["value"]));
        }
        EXPECT_EQ(by_name.size(), want["points"].size());
    }
}

json discover_json(const SunspecPeer& peer, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"discover", peer.uri(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return json_of(regpoll(args));
}

class SunspecDiscover : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_reference_models()) GTEST_SKIP() << no_reference_models_reason();
    }
};

TEST_F(SunspecDiscover, EveryTestedModelAtItsAddressScaledAndNa) {
    SunspecPeer peer(json{{"units", {{"1", chain_of(tested_models)}}}});
    const auto out = discover_json(peer);
    ASSERT_EQ(out["chains"].size(), 1u);
    const auto& chain = out["chains"][0];
    EXPECT_EQ(chain["end"], "0xFFFF");
    ASSERT_EQ(chain["devices"].size(), 1u);
    EXPECT_EQ(chain["devices"][0]["Mn"], "regpoll");
    EXPECT_EQ(chain["devices"][0]["SN"], "42");
    expect_chain_matches(chain, peer.expected(1));
}

TEST_F(SunspecDiscover, TreeShowsDeviceModelsAndNa) {
    SunspecPeer peer(json{{"units", {{"1", chain_of({1, 103})}}}});
    auto r = regpoll({"discover", peer.uri()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("device regpoll chain, SN 42, Vr 1.0, unit 1, base 40000"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("model 103 inverter_three_phase at 40070, length 50"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("    W = n/a\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    AphA = n/a\n"), std::string::npos) << r.out;  // its SF is n/a
}

TEST_F(SunspecDiscover, LengthMismatchFollowsTheDevicesL) {
    auto chain = chain_of({1, 103, 160});
    chain["models"][0]["length"] = 65;  // Fronius: common model one register short
    chain["models"][1]["length"] = 52;  // longer than the specification's 50
    SunspecPeer peer(json{{"units", {{"1", chain}}}});
    const auto out = discover_json(peer);
    const auto& got = out["chains"][0];
    expect_chain_matches(got, peer.expected(1));
    EXPECT_EQ(got["devices"][0]["models"][0]["spec_length"], 66);
    EXPECT_NE(got["notes"].dump().find("L is 52, the specification says 50"), std::string::npos)
        << got["notes"].dump();
}

TEST_F(SunspecDiscover, UnknownModelsAreListedAndSkipped) {
    auto chain = chain_of({1, 103});
    chain["models"].insert(chain["models"].begin() + 1,
                           json{{"id", 64999}, {"unknown_length", 10}});
    SunspecPeer peer(json{{"units", {{"1", chain}}}});
    const auto out = discover_json(peer);
    const auto& got = out["chains"][0];
    expect_chain_matches(got, peer.expected(1));
    EXPECT_EQ(got["unknown_models"], json::array({64999}));
    EXPECT_EQ(got["devices"][0]["models"][1]["known"], false);
}

TEST_F(SunspecDiscover, KostalEndIsAnExceptionAfterTheLastModel) {
    SunspecPeer peer(json{{"units", {{"1", chain_of({1, 103, 802}, 40000, "exception")}}}});
    const auto out = discover_json(peer);
    const auto& got = out["chains"][0];
    expect_chain_matches(got, peer.expected(1));
    EXPECT_EQ(got["end"], "exception 2 after model 802");
}

TEST_F(SunspecDiscover, ZeroIdEndsTheChain) {
    SunspecPeer peer(json{{"units", {{"1", chain_of({1, 101}, 40000, "zero")}}}});
    const auto out = discover_json(peer);
    expect_chain_matches(out["chains"][0], peer.expected(1));
    EXPECT_EQ(out["chains"][0]["end"], "zero id");
}

TEST_F(SunspecDiscover, ModelOneAgainStartsASubdevice) {
    // SolarEdge: meters behind the inverter, each with its own common model.
    SunspecPeer peer(json{{"units", {{"1", chain_of({1, 103, 1, 203, 1, 201})}}}});
    const auto out = discover_json(peer);
    const auto& got = out["chains"][0];
    expect_chain_matches(got, peer.expected(1));
    ASSERT_EQ(got["devices"].size(), 3u);
    EXPECT_EQ(got["devices"][1]["models"][1]["id"], 203);
    EXPECT_EQ(got["devices"][2]["models"][1]["id"], 201);
}

TEST_F(SunspecDiscover, SmaUnit126FoundByUnitsAuto) {
    SunspecPeer peer(json{{"units", {{"126", chain_of({1, 11, 12, 101, 102, 103})}}}});
    const auto out = discover_json(peer, {"--units", "auto", "--timeout", "300ms"});
    ASSERT_EQ(out["chains"].size(), 1u);
    EXPECT_EQ(out["chains"][0]["unit"], 126);
    expect_chain_matches(out["chains"][0], peer.expected(126));
    EXPECT_EQ(out["tried"].size(), 11u);
    auto r = regpoll({"discover", peer.uri(), "--units", "1,126", "--timeout", "300ms"});
    EXPECT_NE(r.out.find("unit 126: SunSpec at base 40000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unit 1: no SunSpec"), std::string::npos) << r.out;
}

TEST_F(SunspecDiscover, Bases50000And0) {
    SunspecPeer peer(
        json{{"units", {{"1", chain_of({1, 113}, 50000)}, {"2", chain_of({1, 213}, 0)}}}});
    auto first = discover_json(peer);
    expect_chain_matches(first["chains"][0], peer.expected(1));
    auto second = discover_json(peer, {"--unit", "2"});
    expect_chain_matches(second["chains"][0], peer.expected(2));
    auto only = discover_json(peer, {"--unit", "2", "--base", "0"});
    EXPECT_EQ(only["chains"][0]["base"], 0);
}

TEST_F(SunspecDiscover, ExceptionFourAtNightSaysSo) {
    SunspecPeer peer(json{{"units", {{"126", chain_of({1, 101})}}}}, {"--exception-units", "126"});
    auto r = regpoll({"discover", peer.uri(), "--unit", "126"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("SERVER DEVICE FAILURE"), std::string::npos) << r.err;
}

TEST_F(SunspecDiscover, ModelsOverOneTwentyFiveRegistersReadInPieces) {
    auto chain = chain_of({1, 701, 160});
    chain["models"][2]["repeats"] = 12;  // 8 + 12 × 20 registers
    SunspecPeer peer(json{{"units", {{"1", chain}}}});
    expect_chain_matches(discover_json(peer)["chains"][0], peer.expected(1));
}

TEST_F(SunspecDiscover, BadFlagsAreUsageErrors) {
    auto r = regpoll({"discover", "tcp://127.0.0.1:1", "--base", "forty"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--base \"forty\""), std::string::npos) << r.err;
    r = regpoll({"discover", "tcp://127.0.0.1:1", "--units", "1,x"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--units \"1,x\""), std::string::npos) << r.err;
}

TEST_F(SunspecDiscover, NoSunspecIsAClearError) {
    SunspecPeer peer(json{{"units", {{"1", chain_of({1})}}}});
    auto r = regpoll({"discover", peer.uri(), "--base", "100"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no SunSpec marker (100: 0x00000000 is not \"SunS\")"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace regpoll::testing
