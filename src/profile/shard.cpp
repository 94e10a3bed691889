#include "profile/shard.hpp"

#include <charconv>
#include <filesystem>

namespace regpoll::profile {
namespace {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// A whole number written with digits only (no sign, no spaces).
bool read_number(std::string_view text, unsigned& out) {
    if (text.empty() || text.size() > 9) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

constexpr std::uint64_t fnv_offset_basis = 0xcbf29ce484222325ULL;
constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;

std::uint64_t fnv1a_byte(std::uint64_t h, unsigned char byte) {
    return (h ^ byte) * fnv_prime;
}

// splitmix64's output function: FNV-1a alone leaves the last bytes (here the shard number)
// poorly spread over the high bits, which decide the comparison of scores.
std::uint64_t splitmix64_finish(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

std::string Shard::text() const {
    return std::to_string(index) + "/" + std::to_string(count);
}

std::string Shard::tag() const {
    return std::to_string(index) + "-" + std::to_string(count);
}

Expected<Shard, std::string> parse_shard(std::string_view text) {
    const auto slash = text.find('/');
    Shard s;
    if (slash == std::string_view::npos || !read_number(text.substr(0, slash), s.index) ||
        !read_number(text.substr(slash + 1), s.count)) {
        return Unexpected{
            quoted(text) +
            " is not a shard: expected K/N, this poller's number K of N pollers, such as \"1/3\""};
    }
    if (s.count < 1)
        return Unexpected{quoted(text) + ": N, the number of shards, must be at least 1"};
    if (s.count > max_shards) {
        return Unexpected{quoted(text) + ": at most " + std::to_string(max_shards) + " shards"};
    }
    if (s.index < 1 || s.index > s.count) {
        return Unexpected{quoted(text) + ": K runs from 1 to " + std::to_string(s.count) +
                          " (the number of shards)"};
    }
    return s;
}

std::uint64_t shard_score(std::string_view key, unsigned shard) {
    std::uint64_t h = fnv_offset_basis;
    for (char c : key) h = fnv1a_byte(h, static_cast<unsigned char>(c));
    // The shard number as four bytes, least significant first: fixed length, so no key and
    // number run into another pair's.
    for (int i = 0; i < 4; ++i)
        h = fnv1a_byte(h, static_cast<unsigned char>((shard >> (8 * i)) & 0xFF));
    return splitmix64_finish(h);
}

unsigned shard_of(std::string_view key, unsigned count) {
    unsigned best = 1;
    std::uint64_t best_score = shard_score(key, 1);
    for (unsigned k = 2; k <= count; ++k) {
        const auto score = shard_score(key, k);
        if (score > best_score) {
            best = k;
            best_score = score;
        }
    }
    return best;
}

std::string shard_file(const std::string& path, const Shard& shard) {
    std::filesystem::path p(path);
    const auto extension = p.extension().string();
    p.replace_filename(p.stem().string() + "-" + shard.tag() + extension);
    return p.string();
}

}  // namespace regpoll::profile
