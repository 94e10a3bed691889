#include "peer_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

#ifndef REGPOLL_SOURCE_DIR
#error "compile with -DREGPOLL_SOURCE_DIR=\"/path/to/regpoll\" (the source tree)"
#endif

namespace regpoll::testing {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int exec_failed_status = 127;
constexpr std::size_t log_tail_bytes = 4000;

// Owns a file descriptor.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }

    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string describe(const std::vector<std::string>& argv) {
    std::string text;
    for (const auto& arg : argv) {
        if (!text.empty()) {
            text += ' ';
        }
        text += arg;
    }
    return text;
}

std::string trim(const std::string& text) {
    constexpr const char* whitespace = " \t\r\n";
    const std::size_t first = text.find_first_not_of(whitespace);
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(whitespace) - first + 1);
}

// Looks argv[0] up like execvp() would, but in the parent, so the child only calls execv().
std::string resolve_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return name;
    }
    const char* env_path = std::getenv("PATH");
    const std::string path = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos) {
            end = path.size();
        }
        std::string dir = path.substr(start, end - start);
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        start = end + 1;
    }
    return {};
}

int decode_wait_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

// True once `pid` has terminated; does not reap it (the zombie keeps the pid and process
// group id reserved, so signalling -pid stays safe until reap()).
bool has_exited(pid_t pid) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    int rc = 0;
    do {
        rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        return true;  // ECHILD: reaped elsewhere (e.g. SIGCHLD ignored); treat as gone
    }
    return info.si_pid != 0;
}

// Blocks until `pid` is reaped; returns its exit code (see CommandResult).
int reap(pid_t pid) {
    int status = 0;
    pid_t rc = 0;
    do {
        rc = ::waitpid(pid, &status, 0);
    } while (rc < 0 && errno == EINTR);
    return rc == pid ? decode_wait_status(status) : -1;
}

int to_poll_timeout(Clock::duration remaining, std::chrono::milliseconds cap) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(remaining) +
              std::chrono::milliseconds(1);
    ms = std::clamp(ms, std::chrono::milliseconds(0), cap);
    return static_cast<int>(std::min<std::chrono::milliseconds::rep>(ms.count(), INT_MAX));
}

// fork()s and execv()s argv with stdin from /dev/null, stdout/stderr on the given fds
// (-1 = inherit), in a new process group. Returns once the exec has succeeded; throws
// std::system_error carrying the child's errno if it failed.
pid_t spawn(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd) {
    if (argv.empty()) {
        throw std::system_error(EINVAL, std::generic_category(), "spawn: empty argv");
    }
    const std::string program = resolve_program(argv[0]);
    if (program.empty()) {
        throw std::system_error(ENOENT, std::generic_category(), argv[0] + " (not in PATH)");
    }
    // Everything the child needs is prepared here: after fork() in a multi-threaded process
    // only async-signal-safe calls are allowed.
    std::vector<std::string> args = argv;
    std::vector<char*> arg_pointers;
    arg_pointers.reserve(args.size() + 1);
    for (auto& arg : args) {
        arg_pointers.push_back(arg.data());
    }
    arg_pointers.push_back(nullptr);

    UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0) {
        throw std::system_error(errno, std::generic_category(), "open /dev/null");
    }
    Pipe exec_status = make_pipe();  // closed by a successful exec, or carries errno
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid == 0) {
        ::setpgid(0, 0);
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) {
            ::_exit(exec_failed_status);
        }
#else
        static_cast<void>(parent);
#endif
        sigset_t no_signals;
        ::sigemptyset(&no_signals);
        ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
        for (int signo : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) {
            struct sigaction action {};
            action.sa_handler = SIG_DFL;
            ::sigaction(signo, &action, nullptr);
        }
        int ok = ::dup2(dev_null.get(), STDIN_FILENO) >= 0;
        if (ok && stdout_fd >= 0) {
            ok = ::dup2(stdout_fd, STDOUT_FILENO) >= 0;
        }
        if (ok && stderr_fd >= 0) {
            ok = ::dup2(stderr_fd, STDERR_FILENO) >= 0;
        }
        if (ok) {
            ::execv(program.c_str(), arg_pointers.data());
        }
        const int error = errno;
        [[maybe_unused]] ssize_t written =
            ::write(exec_status.write_end.get(), &error, sizeof error);
        ::_exit(exec_failed_status);
    }

    exec_status.write_end.reset();
    int child_errno = 0;
    ssize_t got = 0;
    do {
        got = ::read(exec_status.read_end.get(), &child_errno, sizeof child_errno);
    } while (got < 0 && errno == EINTR);
    if (got > 0) {
        reap(pid);
        throw std::system_error(child_errno, std::generic_category(), "exec " + program);
    }
    return pid;
}

std::string read_file_tail(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    std::ostringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    if (text.size() > max_bytes) {
        text = "[...]" + text.substr(text.size() - max_bytes);
    }
    return text;
}

// Returns {path, whether it is a throw-away file in the temporary directory}.
std::pair<std::string, bool> unique_peer_log_path() {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path dir;
    const char* log_dir = std::getenv("REGPOLL_TEST_LOG_DIR");
    const bool temporary = log_dir == nullptr || *log_dir == '\0';
    if (!temporary) {
        dir = log_dir;
    } else {
        try {
            dir = std::filesystem::temp_directory_path();
        } catch (const std::filesystem::filesystem_error&) {
            dir = "/tmp";
        }
    }
    const std::string name = "regpoll-modbus-peer-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1)) + ".log";
    return {(dir / name).string(), temporary};
}

}  // namespace

std::string source_dir() {
    return REGPOLL_SOURCE_DIR;
}

std::string modbus_peer_script() {
    return source_dir() + "/tests/integration/peer/modbus_peer.py";
}

std::string peer_python() {
    const char* python = std::getenv("REGPOLL_TEST_PYTHON");
    return python != nullptr && *python != '\0' ? python : "/usr/bin/python3";
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    CommandResult result;
    Pipe out_pipe = make_pipe();
    Pipe err_pipe = make_pipe();
    pid_t pid = -1;
    try {
        pid = spawn(argv, out_pipe.write_end.get(), err_pipe.write_end.get());
    } catch (const std::system_error& error) {
        result.exit_code = exec_failed_status;
        result.err = "run_command: cannot execute '" + describe(argv) + "': " + error.what();
        return result;
    }
    out_pipe.write_end.reset();
    err_pipe.write_end.reset();

    struct Stream {
        UniqueFd fd;
        std::string* sink;
    };
    Stream streams[] = {{std::move(out_pipe.read_end), &result.out},
                        {std::move(err_pipe.read_end), &result.err}};
    const auto any_open = [&streams] {
        return std::any_of(std::begin(streams), std::end(streams),
                           [](const Stream& s) { return s.fd.get() >= 0; });
    };
    // Reads whatever is ready within `wait_ms`; closes streams at end of file.
    const auto pump = [&streams](int wait_ms) {
        pollfd fds[2];
        Stream* owners[2];
        nfds_t count = 0;
        for (auto& stream : streams) {
            if (stream.fd.get() >= 0) {
                fds[count] = pollfd{stream.fd.get(), POLLIN, 0};
                owners[count++] = &stream;
            }
        }
        if (count == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
            return;
        }
        if (::poll(fds, count, wait_ms) <= 0) {
            return;
        }
        for (nfds_t i = 0; i < count; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                owners[i]->sink->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                owners[i]->fd.reset();
            }
        }
    };

    const auto deadline = Clock::now() + timeout;
    bool exited = false;
    while (true) {
        exited = exited || has_exited(pid);
        if (exited && !any_open()) {
            break;
        }
        const auto remaining = deadline - Clock::now();
        if (remaining <= Clock::duration::zero()) {
            break;
        }
        // Short waits while the pipes are open but the child may have exited (a background
        // grandchild can keep them open); tiny waits for the exit once the pipes are closed.
        pump(to_poll_timeout(remaining, std::chrono::milliseconds(any_open() ? 100 : 5)));
    }
    exited = exited || has_exited(pid);
    result.timed_out = !exited;
    // The unreaped leader pins the process group id, so this cannot hit a stranger.
    ::kill(-pid, SIGKILL);
    const int code = reap(pid);
    result.exit_code = result.timed_out ? -1 : code;
    // Collect what the killed processes left in the pipes, without waiting for long.
    const auto drain_deadline = Clock::now() + std::chrono::milliseconds(200);
    while (any_open() && Clock::now() < drain_deadline) {
        pump(20);
    }
    return result;
}

PeerProcess::PeerProcess(const std::vector<std::string>& argv, const std::string& ready_prefix,
                         std::chrono::milliseconds ready_timeout, std::string stderr_log_path)
    : stderr_log_path_(std::move(stderr_log_path)) {
    const std::string description = describe(argv);
    UniqueFd log_fd;
    if (!stderr_log_path_.empty()) {
        log_fd.reset(
            ::open(stderr_log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (log_fd.get() < 0) {
            throw PeerStartError("PeerProcess: cannot create stderr log " + stderr_log_path_ +
                                 ": " + std::strerror(errno));
        }
    }
    Pipe out_pipe = make_pipe();
    try {
        pid_ = spawn(argv, out_pipe.write_end.get(), log_fd.get());
    } catch (const std::system_error& error) {
        throw PeerStartError("PeerProcess: cannot start '" + description + "': " + error.what());
    }
    out_pipe.write_end.reset();
    stdout_fd_ = out_pipe.read_end.release();
    try {
        wait_for_ready(ready_prefix, ready_timeout, description);
    } catch (...) {
        stop(std::chrono::milliseconds(500));
        close_stdout();
        throw;
    }
}

PeerProcess::~PeerProcess() {
    stop();
    close_stdout();
    if (remove_stderr_log_ && !stderr_log_path_.empty()) {
        ::unlink(stderr_log_path_.c_str());
    }
}

PeerProcess::PeerProcess(PeerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      exit_code_(other.exit_code_),
      remove_stderr_log_(std::exchange(other.remove_stderr_log_, false)),
      ready_value_(std::move(other.ready_value_)),
      stdout_buffer_(std::move(other.stdout_buffer_)),
      stderr_log_path_(std::move(other.stderr_log_path_)) {}

PeerProcess& PeerProcess::operator=(PeerProcess&& other) noexcept {
    if (this != &other) {
        stop();
        close_stdout();
        if (remove_stderr_log_ && !stderr_log_path_.empty()) {
            ::unlink(stderr_log_path_.c_str());
        }
        pid_ = std::exchange(other.pid_, -1);
        stdout_fd_ = std::exchange(other.stdout_fd_, -1);
        exit_code_ = other.exit_code_;
        remove_stderr_log_ = std::exchange(other.remove_stderr_log_, false);
        ready_value_ = std::move(other.ready_value_);
        stdout_buffer_ = std::move(other.stdout_buffer_);
        stderr_log_path_ = std::move(other.stderr_log_path_);
    }
    return *this;
}

void PeerProcess::wait_for_ready(const std::string& ready_prefix, std::chrono::milliseconds timeout,
                                 const std::string& description) {
    std::string lines_seen;
    const auto fail = [&](const std::string& reason) {
        const int code = stop(std::chrono::milliseconds(500));
        std::string message =
            "PeerProcess: '" + description + "': " + reason + "; exit code " + std::to_string(code);
        message += "; stdout before that: [" + lines_seen + stdout_buffer_ + "]";
        if (!stderr_log_path_.empty()) {
            message += "; stderr log " + stderr_log_path_ + ":\n" +
                       read_file_tail(stderr_log_path_, log_tail_bytes);
        }
        throw PeerStartError(message);
    };

    const auto deadline = Clock::now() + timeout;
    while (true) {
        std::size_t newline = 0;
        while ((newline = stdout_buffer_.find('\n')) != std::string::npos) {
            std::string line = stdout_buffer_.substr(0, newline);
            stdout_buffer_.erase(0, newline + 1);
            if (line.compare(0, ready_prefix.size(), ready_prefix) == 0) {
                ready_value_ = trim(line.substr(ready_prefix.size()));
                return;
            }
            lines_seen += line + '\n';
        }
        const auto remaining = deadline - Clock::now();
        if (remaining <= Clock::duration::zero()) {
            fail("no line starting with '" + ready_prefix + "' within " +
                 std::to_string(timeout.count()) + " ms");
        }
        pollfd fd{stdout_fd_, POLLIN, 0};
        const int ready = ::poll(&fd, 1, to_poll_timeout(remaining, std::chrono::hours(1)));
        if (ready < 0 && errno != EINTR) {
            fail(std::string("poll: ") + std::strerror(errno));
        }
        if (ready <= 0) {
            continue;
        }
        char buffer[4096];
        const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
        if (n > 0) {
            stdout_buffer_.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            fail("stdout closed (process exited?) before a line starting with '" + ready_prefix +
                 "'");
        } else if (errno != EINTR && errno != EAGAIN) {
            fail(std::string("read: ") + std::strerror(errno));
        }
    }
}

std::uint16_t PeerProcess::ready_port() const {
    std::size_t used = 0;
    unsigned long port = 0;
    try {
        port = std::stoul(ready_value_, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != ready_value_.size() || port == 0 || port > 65535) {
        throw std::runtime_error("PeerProcess: ready value '" + ready_value_ +
                                 "' is not a TCP port");
    }
    return static_cast<std::uint16_t>(port);
}

bool PeerProcess::running() {
    return pid_ > 0 && !has_exited(pid_);
}

int PeerProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) {
        return exit_code_;
    }
    if (!has_exited(pid_)) {
        ::kill(-pid_, SIGTERM);
        const auto deadline = Clock::now() + grace;
        while (!has_exited(pid_) && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    // Kills the child if it ignored SIGTERM, and anything it left in its process group. The
    // child is not reaped yet, so the group id cannot have been reused.
    ::kill(-pid_, SIGKILL);
    exit_code_ = reap(pid_);
    pid_ = -1;
    return exit_code_;
}

bool PeerProcess::send_signal(int signo) {
    return pid_ > 0 && ::kill(pid_, signo) == 0;
}

std::string PeerProcess::read_available_stdout() {
    std::string text = std::exchange(stdout_buffer_, {});
    while (stdout_fd_ >= 0) {
        pollfd fd{stdout_fd_, POLLIN, 0};
        if (::poll(&fd, 1, 0) <= 0) {
            break;
        }
        char buffer[4096];
        const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            close_stdout();
        }
    }
    return text;
}

std::string PeerProcess::stderr_log() const {
    return stderr_log_path_.empty() ? std::string() : read_file_tail(stderr_log_path_, SIZE_MAX);
}

void PeerProcess::close_stdout() {
    if (stdout_fd_ >= 0) {
        ::close(stdout_fd_);
        stdout_fd_ = -1;
    }
}

PeerProcess start_modbus_peer(const std::vector<std::string>& extra_args,
                              std::string stderr_log_path,
                              std::chrono::milliseconds ready_timeout) {
    std::vector<std::string> argv{peer_python(), "-I", modbus_peer_script()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    bool temporary_log = false;
    if (stderr_log_path.empty()) {
        std::tie(stderr_log_path, temporary_log) = unique_peer_log_path();
    }
    try {
        PeerProcess peer(argv, "READY ", ready_timeout, stderr_log_path);
        peer.set_remove_stderr_log(temporary_log);
        return peer;
    } catch (const PeerStartError&) {
        if (temporary_log) {
            ::unlink(stderr_log_path.c_str());  // its tail is in the exception message
        }
        throw;
    }
}

CommandResult make_loopback_certificate(const std::string& dir) {
    return run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"},
                       std::chrono::seconds(30));
}

}  // namespace regpoll::testing
