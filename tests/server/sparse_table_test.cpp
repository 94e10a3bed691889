#include "server/sparse_table.hpp"

#include <gtest/gtest.h>

namespace regpoll::server {
namespace {

TEST(SparseTable, NothingIsMappedAtFirst) {
    SparseTable<int> t;
    EXPECT_EQ(t.find(0, 1), nullptr);
    EXPECT_TRUE(t.ranges().empty());
}

TEST(SparseTable, FindNeedsTheWholeRangeInsideOneMappedRange) {
    SparseTable<int> t;
    t.map(10, 5);
    EXPECT_NE(t.find(10, 5), nullptr);
    EXPECT_NE(t.find(14, 1), nullptr);
    EXPECT_EQ(t.find(9, 1), nullptr);
    EXPECT_EQ(t.find(14, 2), nullptr);
    EXPECT_EQ(t.find(15, 1), nullptr);
    EXPECT_EQ(t.find(10, 0), nullptr);
}

TEST(SparseTable, TouchingAndOverlappingRangesMergeAndKeepValues) {
    SparseTable<int> t;
    t.map(0, 4);
    t.find(0, 4)[3] = 33;
    t.map(10, 2);
    t.find(10, 1)[0] = 100;
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{0, 4}, {10, 2}}));
    t.map(4, 6);  // touches both
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{0, 12}}));
    const int* all = t.find(0, 12);
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(all[3], 33);
    EXPECT_EQ(all[10], 100);
    EXPECT_EQ(all[5], 0);
    t.map(2, 3);  // already inside: no change
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{0, 12}}));
    EXPECT_EQ(t.find(0, 12)[3], 33);
}

TEST(SparseTable, GapsStaySeparateAndOrdered) {
    SparseTable<int> t;
    t.map(100, 1);
    t.map(0, 1);
    t.map(50, 2);
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{0, 1}, {50, 2}, {100, 1}}));
    EXPECT_EQ(t.find(0, 2), nullptr);
    EXPECT_EQ(t.find(50, 3), nullptr);
}

TEST(SparseTable, RangesAreCutAtTheEndOfTheAddressSpace) {
    SparseTable<int> t;
    t.map(65530, 100);
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{65530, 6}}));
    t.map(70000, 1);
    EXPECT_EQ(t.ranges().size(), 1U);
    t.map(0, address_space);
    EXPECT_EQ(t.ranges(), (std::vector<AddressRange>{{0, address_space}}));
}

}  // namespace
}  // namespace regpoll::server
