#include "sunspec/chain_walker.hpp"

#include <algorithm>

#include "modbus/error.hpp"
#include "sunspec/model_body.hpp"

namespace regpoll::sunspec {

namespace {

// A chain longer than this is a device looping on itself.
constexpr std::size_t max_models = 256;

std::string error_text(std::error_code ec) {
    return ec.message();
}

}  // namespace

Expected<std::uint16_t, std::string> find_base(const RegisterReader& read,
                                               std::optional<std::uint16_t> only_base) {
    std::vector<std::uint16_t> bases(std::begin(default_bases), std::end(default_bases));
    if (only_base) bases = {*only_base};
    std::string tried;
    for (auto base : bases) {
        auto regs = read(base, 2);
        const std::string at = std::to_string(base);
        if (!regs) {
            tried += (tried.empty() ? "" : "; ") + at + ": " + error_text(regs.error());
            if (!modbus::is_exception(regs.error())) break;
            continue;
        }
        if (regs->size() == 2 && (*regs)[0] == suns_marker[0] && (*regs)[1] == suns_marker[1]) {
            return base;
        }
        char found[16];
        std::snprintf(found, sizeof found, "0x%04X%04X", regs->size() > 0 ? (*regs)[0] : 0,
                      regs->size() > 1 ? (*regs)[1] : 0);
        tried += (tried.empty() ? "" : "; ") + at + ": " + found + " is not \"SunS\"";
    }
    return Unexpected("no SunSpec marker (" + tried + ")");
}

namespace {

struct Walk {
    const RegisterReader& read;
    Chain chain;
    std::size_t models = 0;
    std::uint16_t last_id = 0;

    // Ends the chain on a read error: after at least one model that is the device's way of
    // saying "no more" (Kostal); before any, the walk failed.
    std::optional<std::string> end_on_error(std::error_code ec, const std::string& what) {
        if (models == 0) return what + ": " + error_text(ec);
        chain.end = (modbus::is_exception(ec) ? "exception " + std::to_string(ec.value())
                                              : error_text(ec)) +
                    " after model " + std::to_string(last_id);
        return std::nullopt;
    }

    void add(DiscoveredModel model) {
        if (model.id == 1 || chain.devices.empty()) chain.devices.emplace_back();
        if (model.id == 1) fill_identity(chain.devices.back(), model);
        chain.devices.back().models.push_back(std::move(model));
        ++models;
    }

    static void fill_identity(DiscoveredDevice& device, const DiscoveredModel& m) {
        device.mn = text_point(m, "Mn");
        device.md = text_point(m, "Md");
        device.sn = text_point(m, "SN");
        device.vr = text_point(m, "Vr");
    }
};

}  // namespace

Expected<Chain, std::string> walk_chain(const RegisterReader& read, std::uint8_t unit,
                                        std::uint16_t base) {
    Walk w{read, {}, 0, 0};
    w.chain.unit = unit;
    w.chain.base = base;
    std::uint32_t addr = base + 2u;
    while (true) {
        if (w.models >= max_models) {
            w.chain.end = "stopped after " + std::to_string(max_models) + " models";
            break;
        }
        if (addr > 0xFFFE) {  // no room for a model's ID and L
            if (w.models == 0) {
                return Unexpected("no model after the marker at " + std::to_string(base) +
                                  ": the address space ends there");
            }
            w.chain.end = "address space ends";
            break;
        }
        const auto at = static_cast<std::uint16_t>(addr);
        auto id = read(at, 1);
        if (!id || id->size() != 1) {
            auto err =
                w.end_on_error(id ? make_error_code(modbus::Errc::byte_count_mismatch) : id.error(),
                               "model id at " + std::to_string(at));
            if (err) return Unexpected(*err);
            break;
        }
        if ((*id)[0] == 0xFFFF || (*id)[0] == 0) {
            if (w.models == 0)
                return Unexpected("no model after the marker at " + std::to_string(base));
            w.chain.end = (*id)[0] == 0 ? "zero id" : "0xFFFF";
            break;
        }
        auto model = read_model(read, (*id)[0], at, w.chain.notes);
        if (!model) {
            auto err = w.end_on_error(
                model.error(), "model " + std::to_string((*id)[0]) + " at " + std::to_string(at));
            if (err) return Unexpected(*err);
            break;
        }
        if (!model->def) w.chain.unknown_models.push_back(model->id);
        addr = at + 2u + model->length;
        w.last_id = model->id;
        w.add(std::move(*model));
    }
    return std::move(w.chain);
}

Expected<DiscoveredDevice, std::string> read_identity(const RegisterReader& read,
                                                      std::uint16_t base) {
    auto found = find_base(read, base);
    if (!found) return Unexpected(found.error());
    const auto at = static_cast<std::uint16_t>(base + 2);
    auto id = read(at, 1);
    if (!id) return Unexpected("model id at " + std::to_string(at) + ": " + error_text(id.error()));
    if (id->size() != 1 || (*id)[0] != 1) {
        return Unexpected("no common model (1) at " + std::to_string(at));
    }
    std::vector<std::string> notes;
    auto model = read_model(read, 1, at, notes);
    if (!model)
        return Unexpected("common model at " + std::to_string(at) + ": " +
                          error_text(model.error()));
    DiscoveredDevice device;
    device.mn = text_point(*model, "Mn");
    device.md = text_point(*model, "Md");
    device.sn = text_point(*model, "SN");
    device.vr = text_point(*model, "Vr");
    return device;
}

}  // namespace regpoll::sunspec
