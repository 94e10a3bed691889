// Where the profile library is looked for by default: next to an installed binary, and the
// source tree's devices/ only for binaries in the build tree.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "profile/profile_loader.hpp"

namespace regpoll::profile {
namespace {

namespace fs = std::filesystem;

TEST(ProfileLibraryDirs, AnInstalledBinaryUsesTheLibraryNextToItAndNeverTheSourceTree) {
    // Any binary outside the build tree stands for an installed one.
    const auto dirs = default_library_dirs("/bin/sh");
    const auto bin = fs::canonical("/bin/sh").parent_path();
    ASSERT_EQ(dirs.size(), 1U);
    EXPECT_EQ(dirs[0], (bin.parent_path() / "share/regpoll/devices").string());
}

TEST(ProfileLibraryDirs, ABinaryInTheBuildTreeUsesTheSourceTree) {
    const auto dirs = default_library_dirs("/proc/self/exe");  // this test, in the build tree
    ASSERT_FALSE(dirs.empty());
    EXPECT_EQ(dirs.back(), std::string(REGPOLL_SOURCE_DIR) + "/devices");
}

TEST(ProfileLibraryDirs, AnEnvironmentFolderComesFirst) {
    ::setenv("REGPOLL_DEVICES", "/opt/a:/opt/b", 1);
    ProfileLibrary library({"/opt/c"});
    ::unsetenv("REGPOLL_DEVICES");
    ASSERT_GE(library.dirs().size(), 4U);
    EXPECT_EQ(library.dirs()[0], "/opt/a");
    EXPECT_EQ(library.dirs()[1], "/opt/b");
    EXPECT_EQ(library.dirs()[2], "/opt/c");
    EXPECT_EQ(library.dirs().back(), std::string(REGPOLL_SOURCE_DIR) + "/devices");
}

TEST(ProfileLibraryDirs, AnExecutableThatCannotBeFoundAddsNothing) {
    EXPECT_TRUE(default_library_dirs("/nonexistent/regpoll").empty());
}

}  // namespace
}  // namespace regpoll::profile
