// regpoll health: the answer to "is regpoll polling?" for Docker's HEALTHCHECK, monitoring
// scripts and people, from the status file `regpoll run` keeps.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/site_loader.hpp"
#include "app/status_file.hpp"
#include "common/duration.hpp"

namespace regpoll::app {

int run_health(const HealthArgs& a) {
    auto max_age = parse_duration(a.max_age);
    if (!max_age) {
        print_error("--max-age: " + max_age.error());
        return exit_usage;
    }
    if (max_age->count() <= 0) {
        print_error("--max-age must be longer than 0 ms");
        return exit_usage;
    }
    std::optional<profile::Shard> shard;
    if (!shard_arg(a.shard, shard)) return exit_usage;
    const auto path = a.status_file.empty()
                          ? default_status_file_for_health(shard ? shard->tag() : "")
                          : a.status_file;
    errno = 0;
    std::ifstream in(path);
    if (!in) {
        const int error = errno;
        if (error == ENOENT) {
            std::cout << "unhealthy: no status file \"" << path << "\" (" << std::strerror(error)
                      << "): regpoll run is not running, or writes it elsewhere (--status-file)\n";
        } else {
            // The file is there but this user may not read it: say so, not "not running".
            std::cout << "unhealthy: cannot read the status file \"" << path << "\" ("
                      << (error ? std::strerror(error) : "unknown reason")
                      << "): run regpoll health as a user who may read it\n";
        }
        return exit_failure;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto status = nlohmann::json::parse(text.str(), nullptr, false);
    auto verdict = status.is_discarded()
                       ? HealthVerdict{false, "not a regpoll status file (not JSON)"}
                       : judge_status(status, unix_now_ms(), *max_age);
    std::cout << (verdict.healthy ? "healthy: " : "unhealthy: ") << path << ": " << verdict.reason
              << "\n";
    return verdict.healthy ? exit_ok : exit_failure;
}

}  // namespace regpoll::app
