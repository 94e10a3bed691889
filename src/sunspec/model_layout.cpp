#include "sunspec/model_layout.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace regpoll::sunspec {

namespace {

using Scope = std::map<std::string_view, std::size_t>;

// Places one model's points; scopes hold the point indexes of the enclosing group instances
// so that sf and count names resolve the way the specification looks them up.
class Placer {
  public:
    Placer(std::span<const std::uint16_t> regs, std::size_t until, ModelLayout& out)
        : regs_(regs), until_(until), out_(out) {}

    void group(const GroupDef& g, const std::string& prefix, std::vector<const Scope*> scopes) {
        Scope local;
        scopes.insert(scopes.begin(), &local);
        for (const auto& p : g.points) {
            if (full_) return;
            if (offset_ >= until_) {  // the caller asked for no more
                full_ = true;
                return;
            }
            if (offset_ + p.size > regs_.size()) {
                full_ = true;
                note("the device's L ends at " + std::to_string(regs_.size() - 2) +
                     ", before point " + prefix + std::string(p.name));
                return;
            }
            local[p.name] = out_.points.size();
            out_.points.push_back({&p, static_cast<std::uint16_t>(offset_),
                                   prefix + std::string(p.name), std::nullopt});
            offset_ += p.size;
        }
        resolve_sf(local, scopes);
        for (const auto& sub : g.groups) {
            const std::size_t repeats = repeats_of(sub, prefix, scopes);
            for (std::size_t i = 1; i <= repeats && !full_; ++i) {
                const std::string name = std::string(sub.name);
                group(sub, prefix + name + "[" + std::to_string(i) + "].", scopes);
            }
        }
    }

    std::size_t offset() const { return offset_; }

  private:
    void note(std::string text) { out_.notes.push_back(std::move(text)); }

    void resolve_sf(const Scope& local, const std::vector<const Scope*>& scopes) {
        for (const auto& [name, index] : local) {
            auto& placed = out_.points[index];
            if (placed.def->sf.empty()) continue;
            if (auto sf = find(placed.def->sf, scopes)) {
                placed.sf = *sf;
            } else {
                note("point " + placed.path + " names scale factor " + std::string(placed.def->sf) +
                     ", which this model does not have on the device");
            }
        }
    }

    static std::optional<std::size_t> find(std::string_view name,
                                           const std::vector<const Scope*>& scopes) {
        for (const Scope* s : scopes) {
            if (auto it = s->find(name); it != s->end()) return it->second;
        }
        return std::nullopt;
    }

    std::size_t repeats_of(const GroupDef& sub, const std::string& prefix,
                           const std::vector<const Scope*>& scopes) {
        if (!sub.count_point.empty()) {
            auto at = find(sub.count_point, scopes);
            if (!at) {
                note("group " + prefix + std::string(sub.name) + ": count point " +
                     std::string(sub.count_point) + " is missing");
                return 0;
            }
            const std::uint16_t where = out_.points[*at].offset;
            out_.count_offsets.push_back(where);
            const std::uint16_t n = regs_[where];
            if (n == 0xFFFF) return 0;  // not implemented: no repeats
            return n;                   // placement stops, with a note, where L ends
        }
        if (sub.count != 0) return static_cast<std::size_t>(sub.count);
        const std::size_t each = fixed_length(sub);
        const std::size_t left = regs_.size() - offset_;
        if (each == 0) return 0;
        if (left % each != 0) {
            note("group " + prefix + std::string(sub.name) + ": " + std::to_string(left % each) +
                 " registers left over after " + std::to_string(left / each) + " repeats");
        }
        return left / each;
    }

    std::span<const std::uint16_t> regs_;
    std::size_t until_;
    ModelLayout& out_;
    std::size_t offset_ = 0;
    bool full_ = false;
};

}  // namespace

Expected<ModelLayout, std::string> lay_out(const ModelDef& def, std::span<const std::uint16_t> regs,
                                           std::size_t until) {
    if (regs.size() < 2) return Unexpected(std::string("a model needs at least ID and L"));
    if (regs[0] != def.id) {
        return Unexpected("registers hold model " + std::to_string(regs[0]) + ", not " +
                          std::to_string(def.id));
    }
    const std::size_t length = regs[1];
    if (regs.size() < length + 2u) {
        return Unexpected("L is " + std::to_string(length) + " but only " +
                          std::to_string(regs.size() - 2) + " registers were read");
    }
    ModelLayout out;
    out.def = &def;
    out.length = static_cast<std::uint16_t>(length);
    Placer placer(regs.first(length + 2), until, out);
    placer.group(def.group, "", {});
    // Registers left after the last point (unless a note already said why: a repeat that
    // did not fit, leftovers of a group that fills L).
    if (placer.offset() < std::min<std::size_t>(length + 2u, until) && out.notes.empty()) {
        out.notes.push_back("L is " + std::to_string(length) + ", the points end at " +
                            std::to_string(placer.offset() - 2) + ": the rest is skipped");
    }
    return out;
}

std::string snake_name(const std::string& path) {
    std::string out;
    char prev = '_';
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
            if (prev != '_') out += prev = '_';
            continue;
        }
        // A capital after a lower-case letter starts a word: "PhVphA" → "ph_vph_a".
        const bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
        if (upper && i > 0 && std::islower(static_cast<unsigned char>(path[i - 1])) != 0 &&
            prev != '_') {
            out += '_';
        }
        out += prev = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

}  // namespace regpoll::sunspec
