#pragma once
// Splitting a fleet over several pollers: poller K of N ("K/N", K from 1 to N) takes the keys
// that rendezvous (highest-random-weight) hashing gives it. Every key scores every shard
// with a stable 64-bit hash and goes to the shard with the best score, so going from N to
// N+1 shards moves only the keys whose best score is now the new shard's (about 1/(N+1) of
// them), and each of those moves to the new shard. The hash is our own (FNV-1a, then a
// splitmix64 finalizer), not std::hash: every build on every machine must agree.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace regpoll::profile {

struct Shard {
    unsigned index = 1;  // K: 1 to count
    unsigned count = 1;  // N

    std::string text() const;  // "2/3", as written
    // "2-3": for file names, MQTT client ids and topics. It is what `systemd-escape 2/3`
    // gives, so it is also the instance name of regpoll@2-3.service.
    std::string tag() const;
    bool operator==(const Shard&) const = default;
};

constexpr unsigned max_shards = 1024;

// "K/N" with 1 <= K <= N <= max_shards. The error says what was wrong with `text`, to be
// prefixed with where it came from (the flag, or the file and JSON path).
Expected<Shard, std::string> parse_shard(std::string_view text);

// The score of shard `shard` (1-based) for `key`; the same on every machine and build.
std::uint64_t shard_score(std::string_view key, unsigned shard);

// The shard (1 to count) with the highest score for `key`; ties go to the lower number.
unsigned shard_of(std::string_view key, unsigned count);

// "history.db" -> "history-2-3.db", "/var/lib/regpoll/outbox" -> "/var/lib/regpoll/outbox-2-3":
// files that each shard on one host keeps for itself.
std::string shard_file(const std::string& path, const Shard& shard);

}  // namespace regpoll::profile
