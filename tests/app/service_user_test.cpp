// What the people around a running service see: an admin or a monitoring agent calling
// `regpoll health` as another user, a container whose uid cannot read the mounted file,
// `journalctl -p err`, and `systemctl status` after a refused reload. Each test pins a
// finding of the Docker/systemd check (shared/reference/docker-systemd-check.md).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "notify_socket.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ServiceUser : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-service-user-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        // Open to every user: the tests below run commands as "nobody" in here.
        fs::permissions(dir_, fs::perms(0755));
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string file(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
    PeerProcess simulator() {
        return PeerProcess({REGPOLL_BINARY, "simulate", "--profile", "eastron/sdm120", "--listen",
                            "tcp://127.0.0.1:0"},
                           "READY ", 10s, (dir_ / "simulate.log").string());
    }
    std::string site(std::uint16_t port) {
        return file("site.json", R"({ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)" +
                                     std::to_string(port) + R"(" } ],
              "devices": [ { "name": "meter", "bus": "lab", "unit": 1,
                             "profile": "eastron/sdm120", "interval": "500ms" } ] })");
    }
    // The binary, copied where "nobody" may run it (the build tree may sit in a private
    // folder, as a mktemp clone does).
    std::string public_binary() {
        const auto copy = dir_ / "regpoll";
        if (!fs::exists(copy)) {
            fs::copy_file(REGPOLL_BINARY, copy);
            fs::permissions(copy, fs::perms(0755));
        }
        return copy.string();
    }
    // argv run as the user "nobody" (needs root; the callers skip otherwise).
    CommandResult as_nobody(std::vector<std::string> argv) {
        argv.insert(argv.begin(),
                    {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"});
        return run_command(argv, 20s);
    }
    static bool root() { return ::geteuid() == 0; }
    fs::path dir_;
};

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Finding 4: the status file is 0644 whatever the umask (the unit runs with UMask=0027).
TEST_F(ServiceUser, TheStatusFileIsReadableByEveryoneWhateverTheUmask) {
    auto sim = simulator();
    const auto status = (dir_ / "status.json").string();
    const auto old_mask = ::umask(027);
    auto r = run_command({REGPOLL_BINARY, "run", "-c", site(sim.ready_port()), "--once", "--output",
                          "none", "--status-file", status},
                         30s);
    ::umask(old_mask);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(fs::status(status).permissions(), fs::perms(0644));

    if (!root()) GTEST_SKIP() << "the part as another user needs root (setpriv)";
    auto h = as_nobody({public_binary(), "health", "--status-file", status});
    EXPECT_EQ(h.exit_code, 1) << h.out << h.err;  // the run has stopped: read, and judged
    EXPECT_NE(h.out.find("stopped"), std::string::npos) << h.out << h.err;
}

// Finding 4: a status file this user may not read says so, not "not running".
TEST_F(ServiceUser, HealthSaysItCannotReadAStatusFileItMayNotRead) {
    if (!root()) GTEST_SKIP() << "needs root to run as another user (setpriv)";
    const auto status = file("private.json", "{}");
    fs::permissions(status, fs::perms(0600));
    auto h = as_nobody({public_binary(), "health", "--status-file", status});
    EXPECT_EQ(h.exit_code, 1);
    EXPECT_EQ(
        h.out.rfind("unhealthy: cannot read the status file \"" + status + "\" (Permission denied)",
                    0),
        0U)
        << h.out << h.err;
    EXPECT_EQ(h.out.find("not running"), std::string::npos) << h.out;
}

// Finding 9: a configuration that cannot be opened says why.
TEST_F(ServiceUser, AConfigurationThatCannotBeOpenedSaysWhy) {
    const auto missing = (dir_ / "missing.json").string();
    auto r = run_command({REGPOLL_BINARY, "validate", "-c", missing}, 20s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(missing + ": cannot open the file (No such file or directory)"),
              std::string::npos)
        << r.err;

    r = run_command({REGPOLL_BINARY, "run", "--once", "-c", dir_.string()}, 20s);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("cannot open the file (Is a directory)"), std::string::npos) << r.err;

    if (!root()) GTEST_SKIP() << "the permission case needs root to run as another user";
    const auto private_site = file("private-site.json", "{}");
    fs::permissions(private_site, fs::perms(0600));
    r = as_nobody({public_binary(), "run", "--once", "-c", private_site});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(private_site + ": cannot open the file (Permission denied)"),
              std::string::npos)
        << r.err;
}

// "<device>:<inode>" of a file, as systemd sets $JOURNAL_STREAM.
std::string stream_id(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// Finding 6: with stderr on the journal, lines carry "<N>" priorities and no timestamp of
// their own; with the variable naming another stream, the ordinary format stays.
TEST_F(ServiceUser, UnderTheJournalLinesCarrySyslogPriorities) {
    auto sim = simulator();
    const auto journal = file("journal.log", "");
    const auto bad = file("bad.json", R"({ "buses": [], "devices": [ { "name": 1 } ] })");

    ::setenv("JOURNAL_STREAM", stream_id(journal).c_str(), 1);
    {
        PeerProcess run({REGPOLL_BINARY, "run", "-c", site(sim.ready_port()), "--output", "jsonl",
                         "--log-level", "info"},
                        "{\"ts\":", 20s, journal);
        run.stop();
    }
    const auto good_log = read_all(journal);
    {
        PeerProcess refused({"sh", "-c", "echo go; exec \"$0\" run -c \"$1\"", REGPOLL_BINARY, bad},
                            "go", 10s, journal);
        for (int i = 0; i < 100 && refused.running(); ++i) std::this_thread::sleep_for(50ms);
    }
    const auto bad_log = read_all(journal);
    ::unsetenv("JOURNAL_STREAM");

    EXPECT_EQ(good_log.rfind("<6>info ", 0), 0U) << good_log;
    EXPECT_NE(good_log.find("\n<6>info plan: "), std::string::npos) << good_log;
    EXPECT_NE(good_log.find("\n<6>info signal 15: stopping"), std::string::npos) << good_log;
    EXPECT_EQ(bad_log.rfind("<3>error ", 0), 0U) << bad_log;
    EXPECT_NE(bad_log.find("/devices/0/name"), std::string::npos) << bad_log;
    EXPECT_NE(bad_log.find("\n<3>regpoll: the configuration has errors"), std::string::npos)
        << bad_log;
    for (const auto* log : {&good_log, &bad_log}) {
        std::istringstream lines(*log);
        for (std::string line; std::getline(lines, line);) {
            EXPECT_EQ(line.front(), '<') << "a line without a priority: " << line;
        }
    }

    // Another file's id: this stderr is not the journal.
    const auto plain = file("plain.log", "");
    ::setenv("JOURNAL_STREAM", stream_id(journal).c_str(), 1);
    {
        PeerProcess refused({"sh", "-c", "echo go; exec \"$0\" run -c \"$1\"", REGPOLL_BINARY, bad},
                            "go", 10s, plain);
        for (int i = 0; i < 100 && refused.running(); ++i) std::this_thread::sleep_for(50ms);
    }
    ::unsetenv("JOURNAL_STREAM");
    const auto plain_log = read_all(plain);
    EXPECT_EQ(plain_log.find('<'), std::string::npos) << plain_log;
    EXPECT_EQ(plain_log.rfind("20", 0), 0U) << "a timestamp first: " << plain_log;
}

// Finding 8: a refused reload shows in systemd's STATUS= until a reload succeeds.
TEST_F(ServiceUser, ARefusedReloadShowsInTheSystemdStatus) {
    auto sim = simulator();
    const auto config = site(sim.ready_port());
    const auto good = read_all(config);
    const std::string socket_name = "@regpoll-service-user-" + std::to_string(::getpid());
    NotifySocket socket(socket_name);
    ASSERT_TRUE(socket.bound());
    ::setenv("NOTIFY_SOCKET", socket_name.c_str(), 1);
    PeerProcess run({REGPOLL_BINARY, "run", "-c", config, "--output", "jsonl"}, "{\"ts\":", 20s,
                    (dir_ / "run.log").string());
    ::unsetenv("NOTIFY_SOCKET");
    const auto first = socket.receive_starting_with("READY=1");
    EXPECT_NE(first.find("STATUS=polling 1 devices"), std::string::npos) << first;
    EXPECT_EQ(first.find("refused"), std::string::npos) << first;

    std::ofstream(config) << R"({ "buses": [], "devices": [ { "unit": "two" } ] })";
    ASSERT_TRUE(run.send_signal(SIGHUP));
    const auto refused = socket.receive_starting_with("READY=1");
    EXPECT_NE(refused.find("STATUS=polling 1 devices, 1 online; last reload refused, see the log"),
              std::string::npos)
        << refused << run.stderr_log();

    std::ofstream(config) << good;
    ASSERT_TRUE(run.send_signal(SIGHUP));
    const auto applied = socket.receive_starting_with("READY=1");
    EXPECT_NE(applied.find("STATUS=polling 1 devices"), std::string::npos) << applied;
    EXPECT_EQ(applied.find("refused"), std::string::npos) << applied;
    EXPECT_EQ(run.stop(), 0);
}

}  // namespace
}  // namespace regpoll::testing
