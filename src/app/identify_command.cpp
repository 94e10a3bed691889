// regpoll identify: which profiles fit the device at a URI. Reads each profile's "identify"
// checks (profile/identify.hpp), FC43 basic identification and SunSpec model 1, and ranks
// the profiles that fit (app/identify_match.hpp). Reads are shared between profiles: one
// register block is asked for once per unit.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "app/basic_identification.hpp"
#include "app/commands.hpp"
#include "app/identify_match.hpp"
#include "app/session.hpp"
#include "modbus/error.hpp"
#include "plan/block_planner.hpp"
#include "poll/point_decoder.hpp"
#include "profile/profile_loader.hpp"
#include "profile/profile_metadata.hpp"
#include "sunspec/chain_walker.hpp"

namespace regpoll::app {
namespace {

namespace fs = std::filesystem;

// The link itself failed (refused, reset, unreachable): every further read would fail the
// same way, so identify stops and reports it (exit 1) instead of ruling profiles out.
struct LinkDown {
    std::string message;
};

struct Candidate {
    std::string name;  // library name ("deye/sun-sg04lp3") or the path given
    std::shared_ptr<const profile::Profile> profile;
    std::uint8_t unit = 1;
    Fit fit;
};

struct UnitFacts {
    std::optional<BasicIdentification> fc43;
    std::optional<SunspecIdentity> sunspec;
    bool sunspec_asked = false;
};

class DeviceReader {
public:
    explicit DeviceReader(Session& session) : session_(session) {}

    // Registers of one block; an error text (an exception, a timeout) when it has none.
    Expected<std::vector<std::uint16_t>, std::string> registers(std::uint8_t unit, modbus::RegisterKind kind,
                                                                std::uint16_t address, std::uint16_t count) {
        const auto key = std::make_tuple(unit, static_cast<int>(kind), address, count);
        if (auto it = blocks_.find(key); it != blocks_.end()) return it->second;
        auto request = modbus::make_read_request(modbus::read_function(kind), address, count);
        Expected<std::vector<std::uint16_t>, std::string> result = Unexpected(std::string("bad request"));
        if (request) {
            auto response = transact(unit, *request);
            if (!response) {
                result = Unexpected(response.error());
            } else if (auto regs = modbus::parse_registers(*request, *response)) {
                result = std::move(*regs);
            } else {
                result = Unexpected(regs.error().message());
            }
        }
        blocks_.emplace(key, result);
        return result;
    }

    const BasicIdentification& fc43(std::uint8_t unit) {
        auto& facts = units_[unit];
        if (!facts.fc43) {
            session_.set_unit(unit);
            facts.fc43 = read_basic_identification(session_);
            if (facts.fc43->answered) answered_ = true;
        }
        return *facts.fc43;
    }

    const std::optional<SunspecIdentity>& sunspec(std::uint8_t unit) {
        auto& facts = units_[unit];
        if (!facts.sunspec_asked) {
            facts.sunspec_asked = true;
            sunspec::RegisterReader read = [this, unit](std::uint16_t address, std::uint16_t count)
                -> Expected<std::vector<std::uint16_t>> {
                auto r = registers(unit, modbus::RegisterKind::holding, address, count);
                if (!r) return Unexpected(make_error_code(modbus::Errc::illegal_data_address));
                return *r;
            };
            if (auto base = sunspec::find_base(read, std::nullopt)) {
                if (auto device = sunspec::read_identity(read, *base)) {
                    facts.sunspec = SunspecIdentity{*base, device->mn, device->md};
                }
            }
        }
        return facts.sunspec;
    }

    bool answered_any() const { return answered_; }

private:
    Expected<modbus::Pdu, std::string> transact(std::uint8_t unit, const modbus::Pdu& request) {
        session_.set_unit(unit);
        auto response = session_.transact(request);
        if (!response) {
            const auto ec = response.error();
            if (modbus::policy_of(ec) == modbus::Policy::device_down && ec != modbus::Errc::timeout &&
                !modbus::is_exception(ec)) {
                throw LinkDown{session_.describe(ec)};
            }
            return Unexpected(ec == modbus::Errc::timeout ? std::string("timeout") : session_.describe(ec));
        }
        answered_ = true;
        return *response;
    }

    Session& session_;
    std::map<std::tuple<std::uint8_t, int, std::uint16_t, std::uint16_t>,
             Expected<std::vector<std::uint16_t>, std::string>>
        blocks_;
    std::map<std::uint8_t, UnitFacts> units_;
    bool answered_ = false;
};

// Each check point of `profile` as read, in the order of its checks.
std::vector<CheckReading> read_checks(DeviceReader& reader, const profile::Profile& profile, std::uint8_t unit) {
    const auto& checks = profile.identify->checks;
    std::vector<CheckReading> readings(checks.size());
    std::vector<std::size_t> selected;
    for (const auto& c : checks) selected.push_back(c.point_index);
    std::sort(selected.begin(), selected.end());
    selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
    for (const auto& block : plan::plan_blocks(profile.points, selected, profile.limits)) {
        auto regs = reader.registers(unit, block.kind, block.address, block.count);
        for (std::size_t i = 0; i < checks.size(); ++i) {
            const profile::Point& point = profile.points[checks[i].point_index];
            if (std::find(block.points.begin(), block.points.end(), checks[i].point_index) == block.points.end())
                continue;
            auto& r = readings[i];
            r.kind = point.kind;
            r.address = point.address;
            if (!regs) {
                r.error = regs.error();
                continue;
            }
            // The raw value: a check compares with what the register holds, not its map text.
            profile::Point raw = point;
            raw.map.clear();
            raw.bits.clear();
            const std::size_t offset = point.address - block.address;
            poll::Quality quality = poll::Quality::good;
            std::string error;
            r.value = poll::decode_point(raw, std::span(*regs).subspan(offset, point.width()), std::nullopt,
                                         quality, error);
            if (!error.empty()) r.error = error;
            else if (quality == poll::Quality::unavailable) r.error = "not available";
        }
    }
    return readings;
}

// "deye/sun-sg04lp3" for a file under a library folder, else the path.
std::string library_name(const std::string& file, const std::vector<std::string>& dirs) {
    for (const auto& dir : dirs) {
        auto rel = fs::path(file).lexically_normal().lexically_relative(fs::path(dir).lexically_normal());
        if (!rel.empty() && rel.begin()->string() != "..") return rel.replace_extension().generic_string();
    }
    return file;
}

std::optional<std::vector<Candidate>> load_candidates(const IdentifyArgs& a, std::uint8_t unit) {
    profile::ProfileLibrary library;
    profile::Diagnostics diag;
    std::vector<std::pair<std::string, std::string>> refs;  // name, path
    if (a.profiles.empty()) {
        for (const auto& file : library.list_files()) refs.emplace_back(library_name(file, library.dirs()), file);
    } else {
        for (const auto& name : a.profiles) refs.emplace_back(name, name);
    }
    std::vector<Candidate> out;
    for (const auto& [name, ref] : refs) {
        auto profile = library.find(ref, fs::current_path().string(), diag, "--profile", "");
        if (!profile) continue;
        if (!profile->identify) {
            if (!a.profiles.empty()) print_error("warning: " + name + " has no \"identify\" block; skipped");
            continue;
        }
        Candidate c{name, profile, unit, {}};
        if (!a.unit_given) {
            profile::Diagnostics meta_diag;
            auto meta = profile::load_profile_metadata(profile->file, meta_diag);
            c.unit = meta && meta->default_unit ? *meta->default_unit : std::uint8_t{1};
        }
        out.push_back(std::move(c));
    }
    for (const auto& e : diag.errors()) print_error(e);
    if (!a.profiles.empty() && !diag.ok()) return std::nullopt;  // a named profile is broken
    if (out.empty()) {
        print_error("no profile to try: none has an \"identify\" block");
        return std::nullopt;
    }
    return out;
}

nlohmann::ordered_json evidence_json(const Evidence& e) {
    static const char* outcomes[] = {"matched", "failed", "skipped"};
    return {{"check", e.what}, {"value", e.value}, {"expected", e.expected},
            {"outcome", outcomes[static_cast<int>(e.outcome)]}};
}

void print_json(const std::vector<Candidate>& cands, const BasicIdentification& fc43,
                const std::optional<SunspecIdentity>& sunspec, std::uint8_t unit) {
    nlohmann::ordered_json out;
    out["unit"] = unit;
    out["fc43"] = nullptr;
    if (fc43.answered) out["fc43"] = {{"vendor", fc43.vendor}, {"product_code", fc43.product_code}, {"revision", fc43.revision}};
    out["sunspec"] = nullptr;
    if (sunspec) out["sunspec"] = {{"base", sunspec->base}, {"manufacturer", sunspec->manufacturer}, {"model", sunspec->model}};
    // Built apart: ordered_json keeps its keys in a vector, so a reference into `out` would
    // not survive the next key added.
    auto fits = nlohmann::ordered_json::array();
    auto ruled_out = nlohmann::ordered_json::array();
    for (const auto& c : cands) {
        nlohmann::ordered_json item{{"profile", c.name}, {"manufacturer", c.profile->manufacturer},
                                    {"model", c.profile->model}, {"unit", c.unit}};
        if (c.fit.fits) item["score"] = c.fit.score;
        else item["reason"] = c.fit.reason;
        auto evidence = nlohmann::ordered_json::array();
        for (const auto& e : c.fit.evidence) evidence.push_back(evidence_json(e));
        item["evidence"] = std::move(evidence);
        (c.fit.fits ? fits : ruled_out).push_back(std::move(item));
    }
    out["profiles"] = std::move(fits);
    out["ruled_out"] = std::move(ruled_out);
    std::cout << out.dump() << "\n";
}

void print_text(const std::vector<Candidate>& cands, const BasicIdentification& fc43,
                const std::optional<SunspecIdentity>& sunspec, std::uint8_t unit, bool debug) {
    std::cout << "unit " << int{unit} << ": FC43 ";
    if (fc43.answered) {
        std::cout << "vendor \"" << fc43.vendor << "\", product \"" << fc43.product_code << "\", revision \""
                  << fc43.revision << "\"\n";
    } else {
        std::cout << (fc43.timed_out ? "timed out\n" : "not supported\n");
    }
    if (sunspec) {
        std::cout << "SunSpec at " << sunspec->base << ": Mn \"" << sunspec->manufacturer << "\", Md \""
                  << sunspec->model << "\"\n";
    }
    int rank = 0;
    std::size_t ruled_out = 0;
    for (const auto& c : cands) {
        if (!c.fit.fits) {
            ++ruled_out;
            if (debug) std::cout << "does not fit: " << c.name << ": " << c.fit.reason << "\n";
            continue;
        }
        if (rank == 0) std::cout << "fitting profiles, best first:\n";
        std::cout << "  " << ++rank << ". " << c.name << " (" << c.profile->manufacturer << " " << c.profile->model
                  << ", unit " << int{c.unit} << "): " << c.fit.score << " matched\n";
        for (const auto& e : c.fit.evidence) {
            if (e.outcome == Evidence::Outcome::skipped) continue;
            std::cout << "       " << e.what << " = " << e.value << " (expected " << e.expected << ")\n";
        }
    }
    if (rank == 0) std::cout << "no profile fits\n";
    std::cout << ruled_out << " other profile" << (ruled_out == 1 ? "" : "s") << " with an identify block "
              << (ruled_out == 1 ? "does" : "do") << " not fit" << (debug ? "" : " (--debug says why)") << "\n";
}

}  // namespace

int run_identify(const IdentifyArgs& a) {
    auto session = Session::open(a.link);
    if (!session) return exit_usage;
    const auto unit = static_cast<std::uint8_t>(a.link.unit);
    auto cands = load_candidates(a, unit);
    if (!cands) return exit_usage;
    DeviceReader reader(*session);
    BasicIdentification fc43;
    std::optional<SunspecIdentity> sunspec;
    try {
        fc43 = reader.fc43(unit);
        sunspec = reader.sunspec(unit);
        for (auto& c : *cands) {
            const auto& id = *c.profile->identify;
            std::optional<BasicIdentification> c_fc43;
            if (id.uses_fc43()) c_fc43 = reader.fc43(c.unit);
            std::optional<SunspecIdentity> c_sunspec;
            if (id.uses_sunspec()) c_sunspec = reader.sunspec(c.unit);
            c.fit = match_profile(id, read_checks(reader, *c.profile, c.unit), c_fc43, c_sunspec);
        }
    } catch (const LinkDown& e) {
        print_error(e.message);
        return exit_failure;
    }
    if (!reader.answered_any()) {
        print_error("the device did not answer (timeout " + a.link.timeout + " per request)");
        return exit_failure;
    }
    std::stable_sort(cands->begin(), cands->end(), [](const Candidate& x, const Candidate& y) {
        if (x.fit.fits != y.fit.fits) return x.fit.fits;
        return x.fit.score > y.fit.score;
    });
    if (a.json) print_json(*cands, fc43, sunspec, unit);
    else print_text(*cands, fc43, sunspec, unit, a.link.debug);
    const bool any = std::any_of(cands->begin(), cands->end(), [](const Candidate& c) { return c.fit.fits; });
    return any ? exit_ok : exit_no_fit;
}

}  // namespace regpoll::app
