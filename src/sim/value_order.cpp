#include "sim/value_order.hpp"

#include <algorithm>

namespace regpoll::sim {
namespace {

std::optional<std::size_t> find_name(const ValueOwner& owner, const std::string& name) {
    const auto it = std::find(owner.names.begin(), owner.names.end(), name);
    if (it == owner.names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - owner.names.begin());
}

std::optional<std::size_t> signals_owner(const std::vector<ValueOwner>& owners) {
    for (std::size_t i = 0; i < owners.size(); ++i) {
        if (owners[i].name.empty()) return i;
    }
    return std::nullopt;
}

enum class Mark { unvisited, visiting, done };

class Orderer {
  public:
    explicit Orderer(const std::vector<ValueOwner>& owners) : owners_(owners) {
        for (const auto& o : owners) marks_.emplace_back(o.names.size(), Mark::unvisited);
    }

    ValueOrder run() {
        for (std::size_t o = 0; o < owners_.size(); ++o) {
            for (std::size_t i = 0; i < owners_[o].names.size(); ++i) visit({o, i});
        }
        return std::move(result_);
    }

  private:
    // The values `at`'s generator reads, with the term index (none for an energy source).
    std::vector<std::pair<ValueRef, std::optional<std::size_t>>> sources(ValueRef at) {
        std::vector<std::pair<ValueRef, std::optional<std::size_t>>> out;
        const GeneratorSpec& spec = *owners_[at.owner].specs[at.index];
        if (spec.kind == GeneratorKind::energy) {
            if (auto i = find_name(owners_[at.owner], spec.source))
                out.push_back({{at.owner, *i}, {}});
        }
        if (spec.kind != GeneratorKind::derived) return out;
        for (std::size_t t = 0; t < spec.terms.size(); ++t) {
            auto ref = resolve_ref(owners_, at.owner, spec.terms[t].ref);
            if (ref) {
                out.push_back({*ref, t});
            } else {
                result_.errors.push_back({at, t, ref.error()});
            }
        }
        return out;
    }

    void visit(ValueRef at) {
        Mark& mark = marks_[at.owner][at.index];
        if (mark != Mark::unvisited || !owners_[at.owner].specs[at.index]) return;
        mark = Mark::visiting;
        path_.push_back(at);
        for (const auto& [source, term] : sources(at)) {
            if (!owners_[source.owner].specs[source.index]) continue;  // written, not generated
            if (marks_[source.owner][source.index] == Mark::visiting) {
                report_cycle(at, source);
                continue;
            }
            visit(source);
        }
        path_.pop_back();
        marks_[at.owner][at.index] = Mark::done;
        result_.order.push_back(at);
    }

    void report_cycle(ValueRef at, ValueRef back_to) {
        const auto from = std::find(path_.begin(), path_.end(), back_to);
        std::string chain;
        for (auto it = from; it != path_.end(); ++it) chain += value_name(owners_, *it) + " → ";
        chain += value_name(owners_, back_to);
        result_.errors.push_back({at, {}, "values derived from each other: " + chain});
    }

    const std::vector<ValueOwner>& owners_;
    std::vector<std::vector<Mark>> marks_;
    std::vector<ValueRef> path_;
    ValueOrder result_;
};

}  // namespace

Expected<ValueRef, std::string> resolve_ref(const std::vector<ValueOwner>& owners, std::size_t from,
                                            const std::string& ref) {
    if (const auto dot = ref.find('.'); dot != std::string::npos) {
        const std::string device = ref.substr(0, dot);
        const std::string point = ref.substr(dot + 1);
        for (std::size_t o = 0; o < owners.size(); ++o) {
            if (owners[o].name.empty() || owners[o].name != device) continue;
            if (auto i = find_name(owners[o], point)) return ValueRef{o, *i};
            return Unexpected{"device \"" + device + "\" has no point \"" + point + "\""};
        }
        return Unexpected{"no device named \"" + device + "\" (in \"" + ref + "\")"};
    }
    if (auto i = find_name(owners[from], ref)) return ValueRef{from, *i};
    if (auto s = signals_owner(owners)) {
        if (auto i = find_name(owners[*s], ref)) return ValueRef{*s, *i};
    }
    const std::string where =
        owners[from].name.empty() ? "" : "no point of \"" + owners[from].name + "\" and ";
    return Unexpected{where + "no signal named \"" + ref +
                      "\" (another device's point: \"device.point\")"};
}

std::string value_name(const std::vector<ValueOwner>& owners, ValueRef ref) {
    const ValueOwner& o = owners[ref.owner];
    return o.name.empty() ? o.names[ref.index] : o.name + "." + o.names[ref.index];
}

ValueOrder order_values(const std::vector<ValueOwner>& owners) {
    return Orderer(owners).run();
}

}  // namespace regpoll::sim
