#include "sim/sunspec_chains.hpp"

#include "sim/sim_config.hpp"
#include "sunspec/chain_image.hpp"

namespace regpoll::sim {

namespace {

using profile::Json;
using profile::JsonReader;

std::optional<sunspec::ModelSpec> parse_model(JsonReader& mr) {
    if (!mr.is_object()) return std::nullopt;
    sunspec::ModelSpec m;
    if (auto id = mr.integer("id", 1, 65534))
        m.id = static_cast<std::uint16_t>(*id);
    else if (!mr.has("id"))
        mr.error_here("a model needs an \"id\"");
    if (auto r = mr.integer("repeats", 0, 1000)) m.repeats = static_cast<std::size_t>(*r);
    if (auto l = mr.integer("length", 0, 65000)) m.length = static_cast<std::uint16_t>(*l);
    if (const Json* values = mr.get("values")) {
        if (!values->is_object()) {
            mr.error("values",
                     "expected an object of point → value, found " + profile::shown(*values));
        } else {
            for (const auto& [name, v] : values->items()) m.values[name] = v;
        }
    }
    mr.reject_unknown("id, repeats, length, values");
    return m;
}

std::optional<sunspec::ChainSpec> parse_chain(JsonReader& cr) {
    sunspec::ChainSpec c;
    if (auto u = cr.integer("unit", 0, 255)) c.unit = static_cast<std::uint8_t>(*u);
    if (auto b = cr.integer("base", 0, 65533)) c.base = static_cast<std::uint16_t>(*b);
    if (auto e = cr.choice("end", {"ffff", "zero", "exception"})) {
        c.end = *e == "ffff"   ? sunspec::ChainEnd::ffff
                : *e == "zero" ? sunspec::ChainEnd::zero
                               : sunspec::ChainEnd::exception;
    }
    const Json* models = cr.get("models");
    if (!models || !models->is_array() || models->empty()) {
        cr.error_here("a chain needs \"models\", a non-empty list (or a \"preset\")");
        return std::nullopt;
    }
    for (std::size_t i = 0; i < models->size(); ++i) {
        JsonReader mr((*models)[i], cr.file(), cr.child_path("models") + "/" + std::to_string(i),
                      cr.diag());
        if (auto m = parse_model(mr)) c.models.push_back(std::move(*m));
    }
    return c;
}

void add_chain(const sunspec::ChainSpec& chain, const std::string& description, JsonReader& cr,
               std::size_t listener, SimConfig& config) {
    auto image = sunspec::chain_image(chain);
    if (!image) {
        cr.error_here(image.error());
        return;
    }
    config.sunspec.push_back(
        {chain.unit, chain.base, std::move(*image), listener, description, cr.path()});
}

}  // namespace

void parse_sunspec_chains(JsonReader& top, const std::string& default_uri,
                          const ListenerSpec& defaults, SimConfig& config) {
    const Json* list = top.get("sunspec");
    if (!list) return;
    if (!list->is_array()) {
        top.error("sunspec", "expected a list of SunSpec chains, found " + profile::shown(*list));
        return;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        JsonReader cr((*list)[i], top.file(), "/sunspec/" + std::to_string(i), top.diag());
        if (!cr.is_object()) continue;
        const std::string uri = cr.string("listen").value_or(default_uri);
        const std::size_t listener =
            listener_for(uri, cr.file(), cr.has("listen") ? cr.child_path("listen") : "/listen",
                         defaults, config, cr.diag());
        if (auto preset = cr.string("preset")) {
            auto chains = sunspec::chain_preset(*preset);
            if (chains.empty()) {
                cr.error("preset", "\"" + *preset + "\" is not a preset (expected one of " +
                                       sunspec::chain_preset_names + ")");
            }
            for (const auto& c : chains) add_chain(c, *preset + " preset", cr, listener, config);
            cr.reject_unknown("preset, listen");
            continue;
        }
        if (auto chain = parse_chain(cr)) {
            add_chain(*chain, std::to_string(chain->models.size()) + " models", cr, listener,
                      config);
        }
        cr.reject_unknown("unit, base, end, models, listen");
    }
}

}  // namespace regpoll::sim
