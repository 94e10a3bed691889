// Child-process helpers for regpoll's integration tests (POSIX).
//
// PeerProcess starts a long-running helper (typically tests/integration/peer/modbus_peer.py),
// waits for its readiness line on stdout and cleans it up in its destructor. run_command runs
// a short command to completion with a timeout.
//
// Children get stdin from /dev/null, run in their own process group (so a timeout or stop()
// also reaches their own children) and, on Linux, receive SIGTERM if the test process dies
// without running destructors. Nothing here depends on GoogleTest.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace regpoll::testing {

// The regpoll source tree: the REGPOLL_SOURCE_DIR compile definition.
std::string source_dir();

// <source_dir>/tests/integration/peer/modbus_peer.py
std::string modbus_peer_script();

// Interpreter for the peer: $REGPOLL_TEST_PYTHON if set and non-empty, else /usr/bin/python3
// (Debian's interpreter, the one that has python3-pymodbus 3.0.0).
std::string peer_python();

// Thrown by PeerProcess when the child cannot be started or does not become ready. what()
// includes the exit status, the stdout seen so far and the tail of the stderr log.
class PeerStartError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct CommandResult {
    // Exit status; 128 + N if the command was killed by signal N; 127 if it could not be
    // executed (err then says why); -1 if it timed out.
    int exit_code = -1;
    std::string out;
    std::string err;
    bool timed_out = false;
};

// Runs argv (argv[0] is looked up in PATH unless it contains a '/') to completion and captures
// stdout and stderr. After `timeout` the command's whole process group gets SIGKILL.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// A self-signed certificate for 127.0.0.1 (dir/cert.pem) and its key (dir/key.pem), made by
// openssl: for TLS servers and brokers in tests, with cert.pem as the client's CA.
CommandResult make_loopback_certificate(const std::string& dir);

class PeerProcess {
  public:
    // Starts argv and reads its stdout until a line beginning with `ready_prefix` appears;
    // ready_value() is the rest of that line with surrounding whitespace removed. The child's
    // stderr goes to `stderr_log_path` (created/truncated), or is inherited if that is empty.
    // Throws PeerStartError if the child cannot be executed, exits, or is not ready within
    // `ready_timeout` (the child is then killed and reaped before the throw).
    PeerProcess(const std::vector<std::string>& argv, const std::string& ready_prefix,
                std::chrono::milliseconds ready_timeout = std::chrono::seconds(10),
                std::string stderr_log_path = {});

    // stop() with the default grace period.
    ~PeerProcess();

    PeerProcess(const PeerProcess&) = delete;
    PeerProcess& operator=(const PeerProcess&) = delete;
    PeerProcess(PeerProcess&& other) noexcept;
    PeerProcess& operator=(PeerProcess&& other) noexcept;

    const std::string& ready_value() const { return ready_value_; }

    // ready_value() parsed as a TCP port (1..65535); throws std::runtime_error otherwise.
    std::uint16_t ready_port() const;

    // Process id (also the process group id); -1 after stop() or when moved from.
    pid_t pid() const { return pid_; }

    // True while the child has not exited (reaps it if it has).
    bool running();

    // Sends SIGTERM to the child's process group, waits up to `grace`, then sends SIGKILL and
    // reaps the child. Returns its exit code as in CommandResult (0 after a clean exit on
    // SIGTERM; 128 + 9 if it had to be killed). Idempotent: later calls return the same code.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

    // Sends `signo` to the child only (e.g. SIGSTOP/SIGCONT to freeze a peer). False if the
    // child is gone.
    bool send_signal(int signo);

    // Stdout received after the ready line, without blocking: data already buffered plus
    // whatever the pipe holds now. (The pipe is not drained otherwise; a child that writes
    // more than a pipe buffer after getting ready blocks until this is called.)
    std::string read_available_stdout();

    // Empty if stderr is inherited.
    const std::string& stderr_log_path() const { return stderr_log_path_; }

    // Current contents of the stderr log (empty if stderr is inherited or unreadable).
    std::string stderr_log() const;

    // Whether the destructor deletes the stderr log file (default: no, except for the
    // temporary logs start_modbus_peer creates itself). Print stderr_log() before that if a
    // test failed.
    void set_remove_stderr_log(bool remove) { remove_stderr_log_ = remove; }

  private:
    void wait_for_ready(const std::string& ready_prefix, std::chrono::milliseconds timeout,
                        const std::string& description);
    void close_stdout();

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int exit_code_ = -1;
    bool remove_stderr_log_ = false;
    std::string ready_value_;
    std::string stdout_buffer_;
    std::string stderr_log_path_;
};

// Starts `peer_python() -I modbus_peer_script() extra_args...` and waits for "READY ".
// ready_value() is then the TCP port (use ready_port()) or the serial device.
// An empty `stderr_log_path` means a generated file regpoll-modbus-peer-<test pid>-<n>.log:
//   - in $REGPOLL_TEST_LOG_DIR if that is set (kept, e.g. for CI artifacts), else
//   - in the temporary directory, deleted when the PeerProcess is destroyed.
// If the peer does not start, the PeerStartError message contains the log's tail.
PeerProcess start_modbus_peer(const std::vector<std::string>& extra_args,
                              std::string stderr_log_path = {},
                              std::chrono::milliseconds ready_timeout = std::chrono::seconds(10));

}  // namespace regpoll::testing
