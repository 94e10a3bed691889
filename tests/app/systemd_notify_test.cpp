// The sd_notify protocol against a real unix datagram socket, named by a path and by an
// abstract name, as systemd passes them in $NOTIFY_SOCKET.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/systemd_notify.hpp"
#include "notify_socket.hpp"

namespace regpoll::app {
namespace {

namespace fs = std::filesystem;
using regpoll::testing::NotifySocket;

class SystemdNotifyTest : public ::testing::Test {
  protected:
    void TearDown() override {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
    }
};

TEST_F(SystemdNotifyTest, SendsToASocketPath) {
    const auto path =
        (fs::temp_directory_path() / ("regpoll-notify-" + std::to_string(::getpid()))).string();
    fs::remove(path);
    NotifySocket socket(path);
    ASSERT_TRUE(socket.bound());
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    SystemdNotifier notifier;
    EXPECT_TRUE(notifier.enabled());
    ASSERT_TRUE(notifier.notify("READY=1\nSTATUS=polling 2 devices, 2 online")) << notifier.error();
    EXPECT_EQ(socket.receive(), "READY=1\nSTATUS=polling 2 devices, 2 online");
    fs::remove(path);
}

TEST_F(SystemdNotifyTest, SendsToAnAbstractSocket) {
    const std::string name = "@regpoll-notify-test-" + std::to_string(::getpid());
    NotifySocket socket(name);
    ASSERT_TRUE(socket.bound());
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
    SystemdNotifier notifier;
    ASSERT_TRUE(notifier.notify("STOPPING=1")) << notifier.error();
    EXPECT_EQ(socket.receive(), "STOPPING=1");
}

TEST_F(SystemdNotifyTest, OutsideSystemdEveryCallIsANoOp) {
    ::unsetenv("NOTIFY_SOCKET");
    SystemdNotifier notifier;
    EXPECT_FALSE(notifier.enabled());
    EXPECT_TRUE(notifier.notify("READY=1"));
    EXPECT_FALSE(notifier.watchdog());
}

TEST_F(SystemdNotifyTest, ASocketNobodyListensOnIsAnErrorThatSaysWhere) {
    ::setenv("NOTIFY_SOCKET", "/nonexistent/regpoll/notify", 1);
    SystemdNotifier notifier;
    EXPECT_FALSE(notifier.notify("READY=1"));
    EXPECT_NE(notifier.error().find("/nonexistent/regpoll/notify"), std::string::npos)
        << notifier.error();
}

TEST_F(SystemdNotifyTest, ANameThatIsNeitherPathNorAbstractIsRefused) {
    ::setenv("NOTIFY_SOCKET", "relative/socket", 1);
    SystemdNotifier notifier;
    EXPECT_FALSE(notifier.notify("READY=1"));
    EXPECT_NE(notifier.error().find("neither a path nor an abstract name"), std::string::npos)
        << notifier.error();
}

TEST_F(SystemdNotifyTest, WatchdogPeriodIsForThisProcessOnly) {
    ::setenv("WATCHDOG_USEC", "20000000", 1);
    EXPECT_EQ(SystemdNotifier().watchdog(), std::chrono::seconds(20));
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    EXPECT_EQ(SystemdNotifier().watchdog(), std::chrono::seconds(20));
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    EXPECT_FALSE(SystemdNotifier().watchdog());  // meant for another process
    ::unsetenv("WATCHDOG_PID");
    ::setenv("WATCHDOG_USEC", "soon", 1);
    EXPECT_FALSE(SystemdNotifier().watchdog());
    ::setenv("WATCHDOG_USEC", "0", 1);
    EXPECT_FALSE(SystemdNotifier().watchdog());
}

TEST_F(SystemdNotifyTest, ReloadingCarriesTheMonotonicTime) {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto before = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
    const auto message = reloading_message();
    ASSERT_EQ(message.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0U) << message;
    const auto usec = std::stoll(message.substr(message.find('=', 12) + 1));
    EXPECT_GE(usec, before);
    EXPECT_LT(usec, before + 60'000'000);
}

}  // namespace
}  // namespace regpoll::app
