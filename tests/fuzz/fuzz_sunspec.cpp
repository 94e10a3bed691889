// libFuzzer target: `regpoll discover` against a device whose registers are the fuzz input:
// the SunSpec base search, the chain walk (model IDs, the device's L, repeating groups
// and their counts, scale-factor links) and the report built from what was read.
//
// Input: a mode byte, two bytes of base (used with mode bits 0-1 = 3), then the device's
// registers (big-endian pairs) from that base on.
//   bits 0-1  where the registers start: 40000, 50000, 0, or the given base, which is then
//             the only one tried (discover --base)
//   bit 2     a read past the registers times out instead of ILLEGAL DATA ADDRESS
//   bit 3     a read that runs past the registers answers what there is (a short answer)
//             instead of refusing it
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "modbus/error.hpp"
#include "modbus/pdu.hpp"
#include "modbus/register_kind.hpp"
#include "sunspec/chain_report.hpp"
#include "sunspec/chain_walker.hpp"

using namespace regpoll;

namespace {

struct Device {
    std::uint32_t base = 40000;
    std::vector<std::uint16_t> regs;
    bool timeout_past_end = false;
    bool short_answers = false;

    Expected<std::vector<std::uint16_t>> read(std::uint16_t address, std::uint16_t count) {
        fuzz::require(count >= 1 && count <= modbus::max_read_registers,
                      "the walker reads 1..125 registers at a time");
        // As the command's reader: the request builder refuses a range past 65535.
        const auto request = modbus::make_read_request(
            modbus::read_function(modbus::RegisterKind::holding), address, count);
        if (!request) return Unexpected(request.error());
        const std::uint32_t end = base + regs.size();
        const bool starts_inside = address >= base && address < end;
        if (starts_inside && (address + count <= end || short_answers)) {
            const auto first = regs.begin() + (address - base);
            const auto last = address + count <= end ? first + count : regs.end();
            return std::vector<std::uint16_t>(first, last);
        }
        return Unexpected(timeout_past_end ? make_error_code(modbus::Errc::timeout)
                                           : modbus::make_exception_error(2));
    }
};

void check_model(const sunspec::DiscoveredModel& m) {
    fuzz::require(m.regs.size() == m.length + 2U, "a model holds ID, L and L registers");
    fuzz::require(m.regs[0] == m.id && m.regs[1] == m.length, "a model starts with its ID and L");
    fuzz::require(m.address + 2U + m.length <= 0x10000U, "a model ends inside the address space");
    if (!m.def) {
        fuzz::require(m.layout.points.empty(), "an unknown model has no points");
        return;
    }
    std::size_t previous = 0;
    for (const auto& p : m.layout.points) {
        fuzz::require(p.def != nullptr && p.offset + p.def->size <= m.regs.size(),
                      "every placed point lies inside the model as read");
        fuzz::require(p.offset >= previous, "points are placed in address order");
        previous = p.offset + p.def->size;
        fuzz::require(!p.sf || *p.sf < m.layout.points.size(),
                      "a scale factor link names a placed point");
        (void)sunspec::snake_name(p.path);
    }
}

void check_chain(const sunspec::Chain& chain, std::uint16_t base) {
    fuzz::require(chain.base == base, "the chain is where the marker was found");
    fuzz::require(!chain.devices.empty() && !chain.end.empty(),
                  "a walked chain has a device and says how it ended");
    std::size_t models = 0;
    std::uint32_t next = base + 2U;
    for (const auto& device : chain.devices) {
        fuzz::require(!device.models.empty(), "a device has models");
        for (const auto& m : device.models) {
            fuzz::require(m.address == next, "each model follows the previous one's L");
            next = m.address + 2U + m.length;
            check_model(m);
            ++models;
        }
    }
    fuzz::require(models <= 256, "a chain stops after 256 models");
    // What `regpoll discover` prints, as text and as JSON (device text may be any bytes).
    (void)sunspec::chain_text(chain);
    (void)sunspec::chain_json(chain).dump(-1, ' ', false,
                                          nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::ByteReader in(std::span<const std::uint8_t>(data, size));
    const std::uint8_t mode = in.u8();
    const std::uint16_t given_base = in.u16();
    Device device;
    std::optional<std::uint16_t> only_base;
    switch (mode & 3U) {
        case 0: device.base = 40000; break;
        case 1: device.base = 50000; break;
        case 2: device.base = 0; break;
        default: device.base = given_base; only_base = given_base; break;
    }
    device.timeout_past_end = (mode & 4U) != 0;
    device.short_answers = (mode & 8U) != 0;
    for (auto rest = in.rest(); rest.size() >= 2 && device.base + device.regs.size() <= 0xFFFF;
         rest = rest.subspan(2)) {
        device.regs.push_back(static_cast<std::uint16_t>((rest[0] << 8) | rest[1]));
    }

    const sunspec::RegisterReader read = [&](std::uint16_t address, std::uint16_t count) {
        return device.read(address, count);
    };
    const auto base = sunspec::find_base(read, only_base);
    if (!base) {
        fuzz::require(!base.error().empty(), "a failed search says what it found");
        return 0;
    }
    const auto chain = sunspec::walk_chain(read, 1, *base);
    if (!chain) {
        fuzz::require(!chain.error().empty(), "a failed walk says why");
        return 0;
    }
    check_chain(*chain, *base);

    // The cheap re-check of a cached discovery reads the same device the same way.
    const auto identity = sunspec::read_identity(read, *base);
    const auto& first = chain->devices.front();
    if (first.models.front().id == 1 && identity) {
        fuzz::require(identity->mn == first.mn && identity->md == first.md &&
                          identity->sn == first.sn && identity->vr == first.vr,
                      "read_identity gives the identity the walk found");
    }
    return 0;
}
