#pragma once
// Walks a device's SunSpec chain: finds the base ("SunS" at 40000, 50000 or 0), then model
// after model reads ID and L apart (Kostal answers a 2-register read at the end with an
// exception), always follows the device's L, and reads each body in point-aligned pieces
// of at most 125 registers. I/O goes through a RegisterReader, so the walk is tested
// against a scripted device as well as a real one.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "common/expected.hpp"
#include "sunspec/model_layout.hpp"

namespace regpoll::sunspec {

// Reads `count` holding registers (FC3) at `address` of the unit being walked.
using RegisterReader =
    std::function<Expected<std::vector<std::uint16_t>>(std::uint16_t address, std::uint16_t count)>;

struct DiscoveredModel {
    std::uint16_t id = 0;
    std::uint16_t address = 0;        // of its ID register
    std::uint16_t length = 0;         // the device's L
    std::size_t spec_length = 0;      // the specification's L; 0 when it has repeats
    const ModelDef* def = nullptr;    // nullptr: not in regpoll's table (listed, skipped)
    std::vector<std::uint16_t> regs;  // ID, L and the body as read
    ModelLayout layout;               // empty for unknown models
};

// One device of the chain: model 1 and what follows it up to the next model 1.
struct DiscoveredDevice {
    std::string mn, md, sn, vr;  // from its common model
    std::vector<DiscoveredModel> models;
};

struct Chain {
    std::uint8_t unit = 1;
    std::uint16_t base = 40000;
    std::vector<DiscoveredDevice> devices;
    std::string end;                 // "0xFFFF", "zero id", "exception 2 after model 802"
    std::vector<std::string> notes;  // quirks met: length mismatches, unknown models, ...
    std::vector<std::uint16_t> unknown_models;
};

// Bases in the order tried when none is given.
inline constexpr std::uint16_t default_bases[] = {40000, 50000, 0};

// The base where "SunS" answers. A Modbus exception moves on to the next base; a timeout or
// link error ends the search (every later probe would fail the same way): the error is the
// last one met, as text.
Expected<std::uint16_t, std::string> find_base(const RegisterReader& read,
                                               std::optional<std::uint16_t> only_base);

// The chain from `base` (where "SunS" was found). Fails when not even one model could be
// read; a later failure ends the chain with a note.
Expected<Chain, std::string> walk_chain(const RegisterReader& read, std::uint8_t unit,
                                        std::uint16_t base);

// Mn, Md, SN and Vr of the device whose chain starts at `base`: the marker checked, then its
// common model read (models empty). A cheap check that a cached discovery is still current.
Expected<DiscoveredDevice, std::string> read_identity(const RegisterReader& read,
                                                      std::uint16_t base);

// "SunS" as two registers.
inline constexpr std::uint16_t suns_marker[] = {0x5375, 0x6E53};

}  // namespace regpoll::sunspec
