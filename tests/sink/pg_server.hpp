#pragma once
// A real PostgreSQL 15 server for tests: initdb in a temporary folder, the server on a free
// loopback port (and a socket in that folder), stopped and removed at the end. As root (CI)
// it runs as "nobody", since initdb and postgres refuse root. Tests skip with a message only
// when Debian's postgresql package (the binaries) is missing.
#include <unistd.h>

#include <pwd.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "mosquitto.hpp"  // free_loopback_port
#include "peer_process.hpp"

namespace regpoll::testing {

inline const std::string pg_bin = "/usr/lib/postgresql/15/bin";

inline bool pg_binaries_present() {
    return std::filesystem::exists(pg_bin + "/initdb") &&
           std::filesystem::exists(pg_bin + "/pg_ctl");
}

class PgServer {
  public:
    PgServer() {
        char dir_template[] = "/tmp/regpoll-pg-XXXXXX";
        if (!::mkdtemp(dir_template)) throw std::runtime_error("mkdtemp failed");
        dir_ = dir_template;
        if (::geteuid() == 0) {
            const passwd* nobody = ::getpwnam("nobody");
            if (!nobody) throw std::runtime_error("no user nobody to run PostgreSQL as");
            if (::chown(dir_.c_str(), nobody->pw_uid, nobody->pw_gid) != 0)
                throw std::runtime_error("cannot chown " + dir_);
        }
        port_ = free_loopback_port();
        must(as_owner({pg_bin + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--no-sync", "--locale=C"}),
             "initdb");
        start();
    }
    ~PgServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    PgServer(const PgServer&) = delete;
    PgServer& operator=(const PgServer&) = delete;

    void start() {
        if (running_) return;
        must(as_owner({pg_bin + "/pg_ctl", "start", "-w", "-t", "60", "-D", dir_ + "/data", "-l",
                       dir_ + "/server.log", "-o",
                       "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                           " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"}),
             "pg_ctl start");
        running_ = true;
    }
    // Fast shutdown: clients are disconnected at once, as when a database server goes away.
    void stop() {
        if (!running_) return;
        as_owner({pg_bin + "/pg_ctl", "stop", "-w", "-m", "fast", "-D", dir_ + "/data"});
        running_ = false;
    }

    std::uint16_t port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string conninfo(const std::string& database = "postgres") const {
        return "host=127.0.0.1 port=" + std::to_string(port_) +
               " user=postgres dbname=" + database + " connect_timeout=3";
    }
    // A new empty database for one test.
    std::string create_database(const std::string& name) {
        must(run_command({pg_bin + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo(), "-c",
                          "CREATE DATABASE " + name},
                         std::chrono::seconds(60)),
             "CREATE DATABASE");
        return conninfo(name);
    }
    // `sql` through psql: unaligned rows, fields separated by '|'.
    std::string psql(const std::string& database_conninfo, const std::string& sql) {
        auto r = run_command({pg_bin + "/psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              database_conninfo, "-c", sql},
                             std::chrono::seconds(60));
        must(r, "psql " + sql);
        return r.out;
    }
    std::string log() const {
        auto r = run_command({"cat", dir_ + "/server.log"}, std::chrono::seconds(5));
        return r.out;
    }

  private:
    CommandResult as_owner(std::vector<std::string> argv) const {
        if (::geteuid() == 0)
            argv.insert(argv.begin(),
                        {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"});
        return run_command(argv, std::chrono::seconds(120));
    }
    void must(const CommandResult& r, const std::string& what) const {
        if (r.exit_code != 0)
            throw std::runtime_error(what + " failed (" + std::to_string(r.exit_code) +
                                     "): " + r.err + r.out + "\nserver log:\n" + log());
    }

    std::string dir_;
    std::uint16_t port_ = 0;
    bool running_ = false;
};

}  // namespace regpoll::testing
