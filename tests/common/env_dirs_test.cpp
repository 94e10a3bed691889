#include "common/env_dirs.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace regpoll {
namespace {

TEST(EnvDirs, SplitsAtColonsAndSkipsEmptyEntries) {
    ::setenv("REGPOLL_TEST_DIRS", "/a::/b c:", 1);
    EXPECT_EQ(env_dirs("REGPOLL_TEST_DIRS"), (std::vector<std::string>{"/a", "/b c"}));
    ::setenv("REGPOLL_TEST_DIRS", "", 1);
    EXPECT_TRUE(env_dirs("REGPOLL_TEST_DIRS").empty());
    ::unsetenv("REGPOLL_TEST_DIRS");
    EXPECT_TRUE(env_dirs("REGPOLL_TEST_DIRS").empty());
}

}  // namespace
}  // namespace regpoll
