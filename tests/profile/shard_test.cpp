#include "profile/shard.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <tuple>
#include <vector>

namespace regpoll::profile {
namespace {

std::vector<std::string> device_names(int n) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back("dev" + std::to_string(1000 + i).substr(1));
    return names;
}

TEST(Shard, ParsesKOfN) {
    for (const auto& [text, index, count] :
         std::vector<std::tuple<std::string, unsigned, unsigned>>{
             {"1/3", 1, 3}, {"3/3", 3, 3}, {"1/1", 1, 1}, {"17/1024", 17, 1024}}) {
        auto s = parse_shard(text);
        ASSERT_TRUE(s) << text << ": " << s.error();
        EXPECT_EQ(s->index, index);
        EXPECT_EQ(s->count, count);
        EXPECT_EQ(s->text(), text);
    }
    EXPECT_EQ(parse_shard("2/3")->tag(), "2-3");
}

TEST(Shard, SaysWhatIsWrongWithABadShard) {
    const std::map<std::string, std::string> cases{
        {"0/3", "\"0/3\": K runs from 1 to 3 (the number of shards)"},
        {"4/3", "\"4/3\": K runs from 1 to 3 (the number of shards)"},
        {"1/0", "\"1/0\": N, the number of shards, must be at least 1"},
        {"1/5000", "\"1/5000\": at most 1024 shards"},
        {"x",
         "\"x\" is not a shard: expected K/N, this poller's number K of N pollers, such as "
         "\"1/3\""},
        {"3", "\"3\" is not a shard: expected K/N"},
        {"", "\"\" is not a shard"},
        {"-1/3", "\"-1/3\" is not a shard"},
        {"1/3/4", "\"1/3/4\" is not a shard"},
        {" 1/3", "\" 1/3\" is not a shard"},
        {"1/99999999999", "\"1/99999999999\" is not a shard"},
    };
    for (const auto& [text, expected] : cases) {
        auto s = parse_shard(text);
        ASSERT_FALSE(s) << text;
        EXPECT_EQ(s.error().rfind(expected, 0), 0U) << text << ": " << s.error();
    }
}

// Pinned values: a poller built elsewhere, by another compiler, must split a fleet the same
// way (computed independently from the definition: FNV-1a 64 of the key and the shard number
// as 4 little-endian bytes, then splitmix64's finalizer).
TEST(Shard, ScoresAreTheSameEverywhere) {
    EXPECT_EQ(shard_score("inverter", 1), 0xd0c6e37b51d0e598ULL);
    EXPECT_EQ(shard_score("inverter", 2), 0xb5b1ab107d126854ULL);
    EXPECT_EQ(shard_score("", 1), 0x07316ba0b0641fc5ULL);
    EXPECT_EQ(shard_score("meter-17", 3), 0x00b904fa248816acULL);
}

TEST(Shard, ThreeShardsShare300DevicesEvenly) {
    const auto names = device_names(300);
    std::map<unsigned, int> per_shard;
    for (const auto& name : names) {
        const auto home = shard_of(name, 3);
        ASSERT_GE(home, 1U);
        ASSERT_LE(home, 3U);
        ++per_shard[home];
    }
    ASSERT_EQ(per_shard.size(), 3U);
    for (const auto& [k, n] : per_shard) {
        EXPECT_GT(n, 70) << "shard " << k;  // 100 each on average
        EXPECT_LT(n, 130) << "shard " << k;
    }
}

// The rendezvous property: a fourth shard takes about a quarter of the devices, and takes
// them only from the others; no device moves between the old three.
TEST(Shard, AFourthShardTakesAboutAQuarterAndNothingElseMoves) {
    const auto names = device_names(300);
    int moved = 0;
    for (const auto& name : names) {
        const auto before = shard_of(name, 3);
        const auto after = shard_of(name, 4);
        if (before == after) continue;
        ++moved;
        EXPECT_EQ(after, 4U) << name << " moved from " << before << " to " << after;
    }
    std::cout << "3 -> 4 shards: " << moved << " of 300 devices moved\n";
    EXPECT_GE(moved, 45);   // 15 %
    EXPECT_LE(moved, 105);  // 35 %
}

TEST(Shard, OneShardTakesEverything) {
    for (const auto& name : device_names(50)) EXPECT_EQ(shard_of(name, 1), 1U);
}

TEST(Shard, FilesOfAShardCarryItsTag) {
    const Shard s{2, 3};
    EXPECT_EQ(shard_file("/var/lib/regpoll/history.db", s), "/var/lib/regpoll/history-2-3.db");
    EXPECT_EQ(shard_file("regpoll.outbox.db", s), "regpoll.outbox-2-3.db");
    EXPECT_EQ(shard_file("/run/regpoll/status", s), "/run/regpoll/status-2-3");
}

}  // namespace
}  // namespace regpoll::profile
