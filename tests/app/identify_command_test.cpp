// `regpoll identify` end to end against `regpoll simulate`: the simulated device shows the
// values its profile's identify block names, and identify must rank that profile first and
// rule out its siblings (Deye single- vs three-phase, the Growatt families), use FC43, say
// when nothing fits (exit 3) and when the device cannot be reached (exit 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

class IdentifyCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-identify-cmd-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string file(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
    PeerProcess simulate(const std::string& profile, const std::string& unit = "1") {
        return PeerProcess({REGPOLL_BINARY, "simulate", "--profile", profile, "--unit", unit, "--listen",
                            "tcp://127.0.0.1:0"},
                           "READY ", 20s, (dir_ / "simulate.log").string());
    }
    // identify --json; `out` gets the parsed output.
    CommandResult identify(std::uint16_t port, std::vector<std::string> extra, json& out) {
        std::vector<std::string> argv{REGPOLL_BINARY, "identify", "tcp://127.0.0.1:" + std::to_string(port),
                                      "--json", "--timeout", "500ms"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        auto r = run_command(argv, 60s);
        out = json::object();
        if (!r.out.empty()) out = json::parse(r.out, nullptr, false);
        return r;
    }
    static std::vector<std::string> names(const json& list) {
        std::vector<std::string> out;
        for (const auto& p : list) out.push_back(p["profile"].get<std::string>());
        return out;
    }
    static bool contains(const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    }
    // Whichever of the two the simulator plays, it fits first (alone, when `alone`), by
    // `check`, and the other is ruled out.
    void expect_told_apart(const std::string& a, const std::string& b, const std::string& check, bool alone,
                           const std::string& unit = "1") {
        for (const auto& [played, sibling] : {std::pair{a, b}, std::pair{b, a}}) {
            auto sim = simulate(played, unit);
            json out;
            auto r = identify(sim.ready_port(), {"--unit", unit}, out);
            ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
            const auto fits = names(out["profiles"]);
            ASSERT_FALSE(fits.empty()) << r.out;
            EXPECT_EQ(fits.front(), played) << r.out;
            if (alone) {
                EXPECT_EQ(fits.size(), 1u) << r.out;
            }
            EXPECT_FALSE(contains(fits, sibling)) << r.out;
            EXPECT_TRUE(contains(names(out["ruled_out"]), sibling)) << r.out;
            EXPECT_EQ(out["profiles"][0]["evidence"][0]["check"], check) << r.out;
        }
    }

    fs::path dir_;
};

TEST_F(IdentifyCommand, DeyeThreePhaseIsNotTakenForSinglePhase) {
    auto sim = simulate("deye/sun-sg04lp3");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1"}, out);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto fits = names(out["profiles"]);
    ASSERT_FALSE(fits.empty()) << r.out;
    EXPECT_EQ(fits.front(), "deye/sun-sg04lp3") << r.out;
    EXPECT_FALSE(contains(fits, "deye/sun-sg-lp1")) << r.out;
    EXPECT_FALSE(contains(fits, "deye/sun-m-micro")) << r.out;
    EXPECT_TRUE(contains(names(out["ruled_out"]), "deye/sun-sg-lp1")) << r.out;
    const auto& evidence = out["profiles"][0]["evidence"][0];
    EXPECT_EQ(evidence["check"], "holding 0 device_type");
    EXPECT_EQ(evidence["value"], "5");
    EXPECT_EQ(evidence["outcome"], "matched");
}

TEST_F(IdentifyCommand, DeyeSinglePhaseIsNotTakenForThreePhase) {
    auto sim = simulate("deye/sun-sg-lp1");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1"}, out);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto fits = names(out["profiles"]);
    ASSERT_FALSE(fits.empty()) << r.out;
    EXPECT_EQ(fits.front(), "deye/sun-sg-lp1") << r.out;
    EXPECT_FALSE(contains(fits, "deye/sun-sg04lp3")) << r.out;
}

TEST_F(IdentifyCommand, GrowattThreePhaseIsNotAMinOrAStorageInverter) {
    auto sim = simulate("growatt/mod-max-tl3");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1"}, out);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto fits = names(out["profiles"]);
    ASSERT_FALSE(fits.empty()) << r.out;
    EXPECT_EQ(fits.front(), "growatt/mod-max-tl3") << r.out;
    EXPECT_FALSE(contains(fits, "growatt/min-tl-x")) << r.out;
    EXPECT_FALSE(contains(fits, "growatt/min-tl-xh")) << r.out;
    EXPECT_FALSE(contains(fits, "growatt/sph-spa")) << r.out;
    EXPECT_FALSE(contains(fits, "deye/sun-sg04lp3")) << r.out;
}

TEST_F(IdentifyCommand, GrowattMinTlxhIsNotAMinTlx) {
    auto sim = simulate("growatt/min-tl-xh");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1", "--profile", "growatt/min-tl-x", "--profile",
                                         "growatt/min-tl-xh", "--profile", "growatt/mod-max-tl3"},
                      out);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(names(out["profiles"]), std::vector<std::string>{"growatt/min-tl-xh"}) << r.out;
}

// The classic v3.x TL inverters keep a type in the high byte of holding 43 (0x01-0x0A) and a
// variant in the low byte; the newer families' codes (3501 and up) never pass that mask, and
// the v3 codes never equal theirs. (A MIN TL-X also fits min-tl-xh, whose 3000 block it has.)
TEST_F(IdentifyCommand, GrowattClassicTlIsToldApartFromTheNewerFamilies) {
    const std::vector<std::string> growatt{"growatt/tl-v3", "growatt/min-tl-x", "growatt/min-tl-xh",
                                           "growatt/mod-max-tl3", "growatt/sph-spa"};
    for (const auto& played : growatt) {
        auto sim = simulate(played);
        json out;
        std::vector<std::string> extra{"--unit", "1"};
        for (const auto& g : growatt) extra.insert(extra.end(), {"--profile", g});
        auto r = identify(sim.ready_port(), extra, out);
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
        const auto fits = names(out["profiles"]);
        ASSERT_FALSE(fits.empty()) << r.out;
        EXPECT_EQ(fits.front(), played) << r.out;
        if (played != "growatt/tl-v3") {
            EXPECT_TRUE(contains(names(out["ruled_out"]), "growatt/tl-v3")) << played << ": " << r.out;
        } else {
            EXPECT_EQ(fits, std::vector<std::string>{played}) << r.out;
            const auto& evidence = out["profiles"][0]["evidence"][0];
            EXPECT_EQ(evidence["check"], "holding 43 device_type_code") << r.out;
            EXPECT_EQ(evidence["value"], "256") << r.out;
            EXPECT_EQ(evidence["expected"], "256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304 or 2560 (after & 65280)")
                << r.out;
        }
    }
}

// Fox ESS shows the model name at holding 30000, one character per register: an H1 G1
// starts with 'H', an H3 with a space.
TEST_F(IdentifyCommand, FoxEssH1AndH3AreToldApart) {
    expect_told_apart("foxess/h1-g1", "foxess/h3", "holding 30000 model_char_1", false);
}

// The same H1 answers a holding map over its LAN port and an input map over RS485: each
// profile also asks for the inverter state in its own map, so the other one is ruled out.
// The H3's manager firmware (holding 30018, 0x0180 = 1.80) splits its two maps by a range.
TEST_F(IdentifyCommand, FoxEssPortsAndH3FirmwareAreToldApart) {
    expect_told_apart("foxess/h1-g1", "foxess/h1-g1-lan", "holding 30000 model_char_1", false);
    expect_told_apart("foxess/h3", "foxess/h3-pre180", "holding 30000 model_char_1", false);
}

// Sungrow's two maps share the device type code register (input 4999); the code tells a
// hybrid from a string inverter, whichever of the two the simulator plays.
TEST_F(IdentifyCommand, SungrowHybridAndStringInverterAreToldApart) {
    expect_told_apart("sungrow/sh-hybrid", "sungrow/sg-string", "input 4999 device_type_code", true);
}

// SMA's device class (30051, Nameplate.MainModel): a solar inverter (8001) is not a battery
// inverter (8007), at SMA's usual unit 3.
TEST_F(IdentifyCommand, SmaSolarAndBatteryInvertersAreToldApart) {
    expect_told_apart("sma/sunny-boy", "sma/storage", "holding 30051 device_class_code", true, "3");
}

// Solis hybrids keep their model family in the low byte of input 35000 (the high byte is the
// protocol version); a string inverter has no such register in its map and is ruled out.
TEST_F(IdentifyCommand, SolisHybridIsToldByItsModelCodeAndAStringInverterIsNot) {
    {
        auto sim = simulate("solis/rhi-hybrid");
        json out;
        auto r = identify(sim.ready_port(), {"--unit", "1"}, out);
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
        EXPECT_EQ(names(out["profiles"]), std::vector<std::string>{"solis/rhi-hybrid"}) << r.out;
        const auto& evidence = out["profiles"][0]["evidence"][0];
        EXPECT_EQ(evidence["check"], "input 35000 inverter_model") << r.out;
        EXPECT_EQ(evidence["value"], "48") << r.out;
        EXPECT_EQ(evidence["outcome"], "matched") << r.out;
    }
    auto sim = simulate("solis/s5-s6-string");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1", "--profile", "solis/rhi-hybrid"}, out);
    EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
    EXPECT_TRUE(out["profiles"].empty()) << r.out;
    EXPECT_TRUE(contains(names(out["ruled_out"]), "solis/rhi-hybrid")) << r.out;
}

// Eastron's meters share one float layout from input 0; the meter code at 0xFC02 (input 64514)
// tells an SDM630 V2 from an SDM120 or an SDM72D, whichever of the two the simulator plays.
TEST_F(IdentifyCommand, EastronMetersAreToldApartByTheirMeterCode) {
    expect_told_apart("eastron/sdm630", "eastron/sdm120", "input 64514 product_code", true);
    expect_told_apart("eastron/sdm72d-m-v2", "eastron/sdm630", "input 64514 product_code", true);
}

TEST_F(IdentifyCommand, Fc43VendorAndProductTellProfilesApart) {
    // The simulator answers FC43 with the profile's manufacturer and model.
    const std::string points = R"("points": [ { "name": "power", "register": "input", "address": 100 } ])";
    const auto acme = file("acme.json", R"({ "manufacturer": "Acme Solar", "model": "AS-5000", "source": "test",
        )" + points + R"(, "identify": { "fc43": { "vendor": "^Acme Solar$", "product": "^AS-\\d+" } } })");
    const auto other = file("other.json", R"({ "manufacturer": "Other", "model": "O-1", "source": "test",
        )" + points + R"(, "identify": { "fc43": { "vendor": "^Other$" } } })");
    auto sim = simulate(acme);
    json out;
    auto r = identify(sim.ready_port(), {"--profile", other, "--profile", acme, "--profile", "deye/sun-sg04lp3"}, out);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(names(out["profiles"]), std::vector<std::string>{acme}) << r.out;
    EXPECT_EQ(out["profiles"][0]["score"], 2);
    EXPECT_EQ(out["fc43"]["vendor"], "Acme Solar");
    EXPECT_EQ(out["profiles"][0]["evidence"][0]["check"], "FC43 vendor");
    EXPECT_TRUE(contains(names(out["ruled_out"]), other)) << r.out;
}

TEST_F(IdentifyCommand, NothingFitsExitsThree) {
    auto sim = simulate("eastron/sdm120");
    json out;
    auto r = identify(sim.ready_port(), {"--unit", "1", "--profile", "deye/sun-sg04lp3", "--profile",
                                         "growatt/min-tl-x"},
                      out);
    EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
    EXPECT_TRUE(out["profiles"].empty()) << r.out;
    EXPECT_EQ(out["ruled_out"].size(), 2u) << r.out;

    auto text = run_command({REGPOLL_BINARY, "identify", "tcp://127.0.0.1:" + std::to_string(sim.ready_port()),
                             "--timeout", "500ms", "--profile", "deye/sun-sg04lp3"},
                            60s);
    EXPECT_EQ(text.exit_code, 3);
    EXPECT_NE(text.out.find("no profile fits"), std::string::npos) << text.out;
}

// Every shipped profile with an identify block, simulated at its default unit, fits and
// scores at least as well as any other fitting profile (its siblings are ruled out).
TEST_F(IdentifyCommand, EveryShippedProfileIdentifiesAsItself) {
    const fs::path root = fs::path(source_dir()) / "devices";
    int tried = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
        const json profile = json::parse(std::ifstream(entry.path()), nullptr, false, true);
        if (!profile.is_object() || !profile.contains("identify")) continue;
        const std::string name = entry.path().lexically_relative(root).replace_extension().generic_string();
        const int unit = profile.value("limits", json::object()).value("default_unit", 1);
        PeerProcess sim({REGPOLL_BINARY, "simulate", "--profile", name, "--unit", std::to_string(unit), "--listen",
                         "tcp://127.0.0.1:0"},
                        "READY ", 20s, (dir_ / "simulate.log").string());
        json out;
        auto r = identify(sim.ready_port(), {}, out);
        ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err << r.out;
        const auto& fits = out["profiles"];
        ASSERT_FALSE(fits.empty()) << name;
        bool found = false;
        for (const auto& f : fits) {
            if (f["profile"] == name) {
                found = true;
                EXPECT_EQ(f["score"], fits[0]["score"]) << name << ": " << r.out;
            }
        }
        EXPECT_TRUE(found) << name << ": " << r.out;
        ++tried;
    }
    EXPECT_GE(tried, 12);
}

TEST_F(IdentifyCommand, AnUnreachableDeviceIsAnError) {
    // A port nothing listens on: bind one, note it, close it.
    std::uint16_t port = 0;
    {
        auto sim = simulate("eastron/sdm120");
        port = sim.ready_port();
    }
    json out;
    auto r = identify(port, {"--profile", "deye/sun-sg04lp3"}, out);
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("regpoll: "), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

// The Fronius inverter and its meter share a common model (Mn "Fronius"); the ID of the model
// after it (113 vs 213) tells them apart at whatever unit is asked, on the simulator's
// SunSpec chain of a GEN24 (inverter at unit 1, meter at 200), not on the profiles' own values.
TEST_F(IdentifyCommand, AFroniusInverterIsNotTakenForItsMeterAtTheSameUnit) {
    const auto config = file("fronius-sim.json", R"({ "listen": "tcp://127.0.0.1:0",
        "sunspec": [ { "preset": "fronius" } ] })");
    PeerProcess sim({REGPOLL_BINARY, "simulate", "-c", config}, "READY ", 20s, (dir_ / "simulate.log").string());
    const std::vector<std::string> both{"--profile", "fronius/gen24-symo-float", "--profile",
                                       "fronius/smart-meter-float"};
    for (const auto& [unit, fits, not_fits] :
         {std::tuple{"1", "fronius/gen24-symo-float", "fronius/smart-meter-float"},
          std::tuple{"200", "fronius/smart-meter-float", "fronius/gen24-symo-float"}}) {
        std::vector<std::string> extra{"--unit", unit};
        extra.insert(extra.end(), both.begin(), both.end());
        json out;
        auto r = identify(sim.ready_port(), extra, out);
        ASSERT_EQ(r.exit_code, 0) << "unit " << unit << ": " << r.err << r.out;
        EXPECT_EQ(names(out["profiles"]), std::vector<std::string>{fits}) << "unit " << unit << ": " << r.out;
        EXPECT_TRUE(contains(names(out["ruled_out"]), not_fits)) << "unit " << unit << ": " << r.out;
    }
}

}  // namespace
}  // namespace regpoll::testing
