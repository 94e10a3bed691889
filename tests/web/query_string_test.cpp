#include "web/query_string.hpp"

#include <gtest/gtest.h>

namespace regpoll::web {
namespace {

TEST(UrlDecode, EscapesAndPlus) {
    EXPECT_EQ(url_decode("a%20b+c", true), "a b c");
    EXPECT_EQ(url_decode("a+b", false), "a+b");
    EXPECT_EQ(url_decode("%2e%2E", false), "..");
    EXPECT_EQ(url_decode("%", false), std::nullopt);
    EXPECT_EQ(url_decode("%4", false), std::nullopt);
    EXPECT_EQ(url_decode("%zz", false), std::nullopt);
    EXPECT_EQ(url_decode("a%00b", false), std::nullopt);
}

TEST(ParseQuery, PairsFirstValueWins) {
    auto q = parse_query("device=meter&point=l1%20v&&since=&device=other");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->at("device"), "meter");
    EXPECT_EQ(q->at("point"), "l1 v");
    EXPECT_EQ(q->at("since"), "");
    EXPECT_FALSE(parse_query("a=%g1"));
}

TEST(EscapesTree, DotSegmentsAndBackslashes) {
    EXPECT_TRUE(escapes_tree("/../etc/passwd"));
    EXPECT_TRUE(escapes_tree("/api/v1/devices/.."));
    EXPECT_TRUE(escapes_tree("/a/./b"));
    EXPECT_TRUE(escapes_tree("/a\\..\\b"));
    EXPECT_FALSE(escapes_tree("/api/v1/devices/meter"));
    EXPECT_FALSE(escapes_tree("/a/..b/c.d"));
}

}  // namespace
}  // namespace regpoll::web
