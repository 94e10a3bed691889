// regpoll's SunSpec model table against the official definitions, model by model and point
// by point; and model layouts on a device (repeats, scale-factor links, short L).
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "reference_models.hpp"
#include "sunspec/model_layout.hpp"
#include "sunspec/model_table.hpp"

namespace regpoll::sunspec {
namespace {

using nlohmann::json;

void expect_same_group(const GroupDef& ours, const json& ref, const std::string& where) {
    SCOPED_TRACE(where);
    EXPECT_EQ(ours.name, ref.at("name").get<std::string>());
    const json count = ref.value("count", json(1));
    if (count.is_string()) {
        EXPECT_EQ(ours.count_point, count.get<std::string>());
    } else {
        EXPECT_EQ(ours.count, count.get<int>());
        EXPECT_TRUE(ours.count_point.empty());
    }
    const json points = ref.value("points", json::array());
    ASSERT_EQ(ours.points.size(), points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        const auto& o = ours.points[i];
        SCOPED_TRACE(p.at("name").get<std::string>());
        EXPECT_EQ(o.name, p.at("name").get<std::string>());
        EXPECT_EQ(point_type_name(o.type), p.at("type").get<std::string>());
        EXPECT_EQ(o.size, p.at("size").get<int>());
        EXPECT_EQ(o.units, p.value("units", ""));
        EXPECT_EQ(o.has(PointDef::writable), p.value("access", "R") == "RW");
        EXPECT_EQ(o.has(PointDef::mandatory), p.value("mandatory", "O") == "M");
        EXPECT_EQ(o.has(PointDef::is_static), p.value("static", "D") == "S");
        if (p.contains("sf") && p["sf"].is_string()) {
            EXPECT_EQ(o.sf, p["sf"].get<std::string>());
        }
        if (p.contains("sf") && p["sf"].is_number()) {
            EXPECT_EQ(o.sf_value, p["sf"].get<int>());
        }
        const json symbols = p.value("symbols", json::array());
        ASSERT_EQ(o.symbols.size(), symbols.size());
        for (std::size_t s = 0; s < symbols.size(); ++s) {
            EXPECT_EQ(o.symbols[s].name, symbols[s].at("name").get<std::string>());
            EXPECT_EQ(o.symbols[s].value, symbols[s].at("value").get<std::int64_t>());
        }
    }
    const json groups = ref.value("groups", json::array());
    ASSERT_EQ(ours.groups.size(), groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i) {
        expect_same_group(ours.groups[i], groups[i],
                          where + "/" + std::string(ours.groups[i].name));
    }
}

TEST(SunspecModelTable, EveryReferenceModelLoadsAndMatchesTheSpecification) {
    if (!testing::have_reference_models()) GTEST_SKIP() << testing::no_reference_models_reason();
    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(testing::reference_models_dir())) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("model_", 0) != 0 || entry.path().extension() != ".json") continue;
        const json ref = nlohmann::json::parse(std::ifstream(entry.path()));
        const int id = ref.at("id").get<int>();
        const ModelDef* ours = find_model(static_cast<std::uint16_t>(id));
        ASSERT_NE(ours, nullptr) << file << ": model " << id << " is not in regpoll's table";
        expect_same_group(ours->group, ref.at("group"), file);
        ++checked;
    }
    EXPECT_EQ(checked, model_table().size()) << "the table has models the reference set lacks";
}

TEST(SunspecModelTable, SpecLengths) {
    EXPECT_EQ(spec_length(*find_model(1)), 66u);
    EXPECT_EQ(spec_length(*find_model(101)), 50u);
    EXPECT_EQ(spec_length(*find_model(113)), 60u);
    EXPECT_EQ(spec_length(*find_model(160)), 0u);  // repeats: depends on the device
    EXPECT_EQ(find_model(4242), nullptr);
}

std::vector<std::uint16_t> model_regs(std::uint16_t id, std::uint16_t length) {
    std::vector<std::uint16_t> regs(length + 2u, 0);
    regs[0] = id;
    regs[1] = length;
    return regs;
}

const PlacedPoint* point_at(const ModelLayout& layout, const std::string& path) {
    for (const auto& p : layout.points) {
        if (p.path == path) return &p;
    }
    return nullptr;
}

TEST(SunspecModelLayout, CommonModelOffsets) {
    const auto layout = lay_out(*find_model(1), model_regs(1, 66));
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_EQ(point_at(*layout, "Mn")->offset, 2);
    EXPECT_EQ(point_at(*layout, "SN")->offset, 50);
    EXPECT_EQ(point_at(*layout, "DA")->offset, 66);
    EXPECT_TRUE(layout->notes.empty());
}

TEST(SunspecModelLayout, Model160RepeatsFillTheRestOfL) {
    // 8 fixed registers after ID/L, 20 per module: L = 8 + 2 × 20.
    const auto layout = lay_out(*find_model(160), model_regs(160, 48));
    ASSERT_TRUE(layout) << layout.error();
    const auto* dca2 = point_at(*layout, "module[2].DCA");
    ASSERT_NE(dca2, nullptr);
    EXPECT_EQ(dca2->offset, 2 + 8 + 20 + 9);
    ASSERT_TRUE(dca2->sf.has_value());
    EXPECT_EQ(layout->points[*dca2->sf].path, "DCA_SF");
    EXPECT_EQ(point_at(*layout, "module[3].DCA"), nullptr);
}

TEST(SunspecModelLayout, UntilPlacesOnlyThePointsThatStartBeforeIt) {
    const auto regs = model_regs(160, 8 + 5 * 20);
    const auto full = lay_out(*find_model(160), regs);
    const auto part = lay_out(*find_model(160), regs, 50);
    ASSERT_TRUE(full && part);
    ASSERT_FALSE(part->points.empty());
    ASSERT_LT(part->points.size(), full->points.size());
    for (std::size_t i = 0; i < part->points.size(); ++i) {
        EXPECT_EQ(part->points[i].path, full->points[i].path);
        EXPECT_EQ(part->points[i].offset, full->points[i].offset);
        EXPECT_LT(part->points[i].offset, 50u);
    }
    EXPECT_GE(full->points[part->points.size()].offset, 50u);
}

TEST(SunspecModelLayout, NestedRepeatsCountFromTheirCountPoints) {
    const ModelDef& m705 = *find_model(705);
    auto regs = model_regs(705, 0);
    // Lay out once with zero repeats to learn where NCrv and NPt sit.
    regs[1] = static_cast<std::uint16_t>(fixed_length(m705.group) - 2 -
                                         fixed_length(m705.group.groups[0]));
    regs.resize(regs[1] + 2u, 0);
    auto probe = lay_out(m705, regs);
    ASSERT_TRUE(probe) << probe.error();
    const auto ncrv = point_at(*probe, "NCrv")->offset;
    const auto npt = point_at(*probe, "NPt")->offset;
    const std::size_t pt_len = fixed_length(m705.group.groups[0].groups[0]);
    const std::size_t crv_len = fixed_length(m705.group.groups[0]) - pt_len;
    regs[1] = static_cast<std::uint16_t>(regs[1] + 2 * (crv_len + 3 * pt_len));
    regs.resize(regs[1] + 2u, 0);
    regs[ncrv] = 2;
    regs[npt] = 3;
    const auto layout = lay_out(m705, regs);
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_NE(point_at(*layout, "Crv[2].Pt[3].V"), nullptr);
    EXPECT_EQ(point_at(*layout, "Crv[2].Pt[4].V"), nullptr);
    EXPECT_TRUE(layout->notes.empty()) << layout->notes.front();
    // The placement read NCrv once, then NPt (a point of the model, not of a curve) in each
    // curve: the registers its result depends on.
    EXPECT_EQ(layout->count_offsets, (std::vector<std::uint16_t>{ncrv, npt, npt}));
}

TEST(SunspecModelLayout, CountsThatSayNotImplementedLeaveTheRestOfLWithANote) {
    // L holds curves, but NCrv is 0xFFFF ("not implemented"): none is placed, and discover
    // says where the points ended instead of dropping the registers silently.
    const ModelDef& m705 = *find_model(705);
    auto regs = model_regs(705, 145);
    const auto probe = lay_out(m705, regs);
    ASSERT_TRUE(probe) << probe.error();
    regs[point_at(*probe, "NCrv")->offset] = 0xFFFF;
    const auto layout = lay_out(m705, regs);
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_EQ(point_at(*layout, "Crv[1].ActPt"), nullptr);
    ASSERT_EQ(layout->notes.size(), 1u);
    EXPECT_EQ(layout->notes[0], "L is 145, the points end at 13: the rest is skipped");
}

TEST(SunspecModelLayout, ShortLLeavesOutWhatDoesNotFitWithANote) {
    // A short common model (SAX-Power reports L = 15, not 66): only Mn fits in 16.
    const auto layout = lay_out(*find_model(1), model_regs(1, 16));
    ASSERT_TRUE(layout) << layout.error();
    EXPECT_NE(point_at(*layout, "Mn"), nullptr);
    EXPECT_EQ(point_at(*layout, "Md"), nullptr);
    ASSERT_FALSE(layout->notes.empty());
}

TEST(SunspecModelLayout, RefusesRegistersOfAnotherModelOrTooFew) {
    EXPECT_FALSE(lay_out(*find_model(1), model_regs(101, 66)));
    auto regs = model_regs(1, 66);
    regs.resize(10);
    EXPECT_FALSE(lay_out(*find_model(1), regs));
}

TEST(SunspecNames, SnakeCase) {
    EXPECT_EQ(snake_name("PhVphA"), "ph_vph_a");
    EXPECT_EQ(snake_name("module[2].DCA"), "module_2_dca");
    EXPECT_EQ(snake_name("DCA_SF"), "dca_sf");
    EXPECT_EQ(snake_name("TotWhImp"), "tot_wh_imp");
}

}  // namespace
}  // namespace regpoll::sunspec
