// Writes the seed corpora of the fuzz targets: make_seeds OUT_DIR creates
// OUT_DIR/<target>/seed-NN. Seeds are built with regpoll's own encoders and builders, so
// they are valid frames the fuzzer mutates from, and no binary file is committed. Beside
// them, the captured frames: every Shine record of the reference (growatt-shine.md §7,
// tests/shine/vectors.hpp) and the Modbus frames the tests take from devices and from the
// specification (tests/modbus, tests/transport; integrations-and-devices.md §4), as hex
// here; and the simulator's SunSpec presets, which mirror devices in the field.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "modbus/ascii.hpp"
#include "modbus/mbap.hpp"
#include "modbus/rtu.hpp"
#include "../shine/vectors.hpp"
#include "sunspec/chain_image.hpp"

using namespace regpoll;
using Bytes = std::vector<std::uint8_t>;
using fuzz::RequestKind;

namespace {

Bytes operator+(Bytes a, std::span<const std::uint8_t> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// "01 03 02 00 F6" or "010302": hex digit pairs, spaces between them ignored.
Bytes from_hex(std::string_view hex) {
    Bytes out;
    std::string digits;
    for (char c : hex) {
        if (c == ' ') continue;
        digits += c;
        if (digits.size() == 2) {
            out.push_back(static_cast<std::uint8_t>(std::stoul(digits, nullptr, 16)));
            digits.clear();
        }
    }
    return out;
}

Bytes text(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

// The control bytes that make derive_request build one request of each kind: selector,
// then address 0x0010 and quantity 3 (where the kind has them), then data.
std::vector<Bytes> request_selections() {
    std::vector<Bytes> out;
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(RequestKind::count); ++k) {
        out.push_back(Bytes{k, 0x00, 0x10, 0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE,
                            0xF0, 0x00, 0x10, 0x00, 0x01, 0xCA, 0xFE});
    }
    return out;
}

// A well-formed answer to `req`, as a conforming server would give it.
Bytes answer(const modbus::Pdu& req) {
    const std::uint8_t fc = req[0];
    switch (static_cast<modbus::Function>(fc)) {
        case modbus::Function::read_coils:
        case modbus::Function::read_discrete_inputs: {
            const auto bytes = static_cast<std::uint8_t>((modbus::get_u16(req, 3) + 7) / 8);
            Bytes rsp{fc, bytes};
            for (std::uint8_t i = 0; i < bytes; ++i)
                rsp.push_back(static_cast<std::uint8_t>(0x55 + i));
            return rsp;
        }
        case modbus::Function::read_holding_registers:
        case modbus::Function::read_input_registers:
        case modbus::Function::read_write_multiple_registers: {
            const auto count = modbus::get_u16(req, 3);
            Bytes rsp{fc, static_cast<std::uint8_t>(count * 2)};
            for (std::uint16_t i = 0; i < count; ++i)
                modbus::put_u16(rsp, static_cast<std::uint16_t>(i * 7));
            return rsp;
        }
        case modbus::Function::write_single_coil:
        case modbus::Function::write_single_register:
        case modbus::Function::write_multiple_coils:
        case modbus::Function::write_multiple_registers:
            return Bytes(req.begin(), req.begin() + 5);
        case modbus::Function::mask_write_register:
        case modbus::Function::diagnostics:
            return req;
        case modbus::Function::report_server_id:
            return Bytes{fc, 3, 0x2A, 0xFF, 0x01};
        case modbus::Function::encapsulated_interface:
            return Bytes{fc,   0x0E, req[2], 0x01, 0x00, 0x00, 0x02, 0x00,
                         0x03, 'A',  'C',    'M',  0x01, 0x02, 'X',  '1'};
    }
    return Bytes{static_cast<std::uint8_t>(fc | 0x80), 0x01};
}

class SeedWriter {
  public:
    explicit SeedWriter(std::filesystem::path root) : root_(std::move(root)) {}

    void add(const std::string& target, std::span<const std::uint8_t> bytes) {
        const auto dir = root_ / target;
        std::filesystem::create_directories(dir);
        char name[32];
        std::snprintf(name, sizeof name, "seed-%03u", counts_[target]++);
        std::ofstream(dir / name, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
    }
    std::size_t total() const {
        std::size_t n = 0;
        for (const auto& [target, count] : counts_) n += count;
        return n;
    }

  private:
    std::filesystem::path root_;
    std::map<std::string, unsigned> counts_;
};

void framing_seeds(SeedWriter& out) {
    const Bytes exception{0x83, 0x02};
    for (const Bytes& selection : request_selections()) {
        fuzz::ByteReader in(selection);
        const modbus::Pdu req = fuzz::derive_request(in);
        const Bytes rsp = answer(req);

        const Bytes mbap = modbus::encode_mbap(0x1234, 1, rsp);
        out.add("fuzz_mbap", mbap + modbus::encode_mbap(0x1235, 1, req));  // two frames
        out.add("fuzz_mbap", std::span(mbap).first(mbap.size() - 1));      // truncated

        out.add("fuzz_rtu", Bytes{0} + modbus::encode_rtu(1, req));
        out.add("fuzz_rtu", Bytes{1} + modbus::encode_rtu(1, rsp));
        out.add("fuzz_rtu", Bytes{3} + selection + modbus::encode_rtu(1, rsp) +
                                modbus::encode_rtu(2, exception));

        out.add("fuzz_ascii", modbus::encode_ascii(1, rsp) + modbus::encode_ascii(1, req));

        out.add("fuzz_pdu", selection + rsp);
    }
    out.add("fuzz_mbap",
            Bytes{0x00, 0x01, 0x00, 0x01, 0x00, 0x03, 0x01, 0x83, 0x02});  // protocol 1
    out.add("fuzz_rtu", Bytes{3, 2, 0x00, 0x00, 0x00, 0x01} + modbus::encode_rtu(1, exception));
    const std::string ascii = "garbage:0103040001000A\r\n:0103020007f3\r\n";
    out.add("fuzz_ascii", Bytes(ascii.begin(), ascii.end()));
    out.add("fuzz_pdu", Bytes{static_cast<std::uint8_t>(RequestKind::read_holding_registers), 0, 0,
                              0, 1, 0x83, 0x02});
}

// Modbus frames the tests hold from devices and from the specification, as on the wire.
// RTU request/response pairs: OMEGA CN7500 (integrations-and-devices.md §4 test vectors,
// tests/modbus/rtu_test.cpp and frame_dump_test.cpp) and the CRC examples of the same table.
struct RtuPair {
    std::string_view request;
    std::string_view response;  // "" when the capture has none
};
constexpr RtuPair captured_rtu[] = {
    {"01 03 10 00 00 01 80 CA", "01 03 02 00 F6 38 02"},
    {"01 05 08 14 FF 00 CE 5E", "01 05 08 14 FF 00 CE 5E"},
    {"01 02 08 14 00 01 FB AE", "01 02 01 00 A1 88"},
    {"01 03 00 00 00 01 84 0A", ""},
    {"01 04 00 00 00 02 71 CB", ""},
    {"01 03 00 05 00 01 94 0B", ""},
};
// MBAP: tests/modbus/mbap_test.cpp and frame_dump_test.cpp (request, its answer, an
// exception from unit 2).
constexpr std::string_view captured_mbap[] = {
    "E7 53 00 00 00 06 01 03 00 00 00 04",
    "E7 53 00 00 00 09 01 03 06 02 2B 00 00 00 64",
    "E7 54 00 00 00 03 02 83 02",
};
// ASCII: the specification's LRC examples (tests/modbus/ascii_test.cpp), one in lower case.
constexpr std::string_view captured_ascii[] = {
    ":010300000001FB\r\n",
    ":010310010001EA\r\n",
    ":010310010001ea\r\n",
};
// Request PDUs as a server receives them: the captured requests above and the
// specification's examples (tests/modbus/pdu_test.cpp, pdu_length_test.cpp).
constexpr std::string_view captured_requests[] = {
    "03 10 00 00 01",
    "05 08 14 FF 00",
    "02 08 14 00 01",
    "03 00 00 00 01",
    "04 00 00 00 02",
    "03 00 05 00 01",
    "03 00 00 00 04",
    "01 00 13 00 13",
    "02 00 C4 00 16",
    "03 00 6B 00 03",
    "04 00 08 00 01",
    "05 00 AC FF 00",
    "06 00 01 00 03",
    "0F 00 13 00 0A 02 CD 01",
    "10 00 01 00 02 04 00 0A 01 02",
    "16 00 04 00 F2 00 25",
    "17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF",
    "2B 0E 01 00",
    "08 00 00 A5 37",
    "11",
};

// The selection bytes (see derive_request) for the request of a captured response, then
// the response: fuzz_pdu's input, and fuzz_rtu's after its mode byte.
struct PduPair {
    Bytes selection;
    std::string_view response;
};
std::vector<PduPair> captured_pdu_pairs() {
    using K = RequestKind;
    const auto k = [](K kind) { return static_cast<std::uint8_t>(kind); };
    return {
        // FC3 0x1000 x1 (OMEGA CN7500); quantity byte 0 folds to 1.
        {{k(K::read_holding_registers), 0x10, 0x00, 0x00, 0x00}, "03 02 00 F6"},
        // FC2 0x0814 x1 (OMEGA CN7500).
        {{k(K::read_discrete_inputs), 0x08, 0x14, 0x00, 0x00}, "02 01 00"},
        // FC5 0x0814 on (OMEGA CN7500), echoed.
        {{k(K::write_single_coil), 0x08, 0x14, 0x01}, "05 08 14 FF 00"},
        // FC3 0x006B x3, the specification's example (108-110).
        {{k(K::read_holding_registers), 0x00, 0x6B, 0x00, 0x02}, "03 06 02 2B 00 00 00 64"},
        // FC3 0x0000 x4 and its MBAP answer's PDU (mbap_test: three registers only, so
        // this pair is a byte count mismatch, as captured).
        {{k(K::read_holding_registers), 0x00, 0x00, 0x00, 0x03}, "03 06 02 2B 00 00 00 64"},
        // FC1 0x0013 x19, the specification's example.
        {{k(K::read_coils), 0x00, 0x13, 0x00, 0x12}, "01 03 CD 6B 05"},
        // FC23 read 3 x6, write 0x0E x3 = 00FF, the specification's example.
        {{k(K::read_write_registers), 0x00, 0x03, 0x00, 0x05, 0x00, 0x0E, 0x00, 0x02, 0x00,
          0xFF, 0x00, 0xFF, 0x00, 0xFF},
         "17 0C 00 FE 0A CD 00 01 00 03 00 0D 00 FF"},
        // FC43/14 basic from object 0 (pdu_test's answer).
        {{k(K::read_device_identification), 0x00, 0x00},
         "2B 0E 01 01 00 00 03 00 03 41 42 43 01 02 58 59 02 03 31 2E 30"},
        // FC17 (pdu_test's answer).
        {{k(K::report_server_id)}, "11 03 2A FF 07"},
        // FC16 0x0001 x2 (0x000A, 0x0102), echoed.
        {{k(K::write_multiple_registers), 0x00, 0x01, 0x00, 0x01, 0x00, 0x0A, 0x01, 0x02},
         "10 00 01 00 02"},
        // FC8 echo (A5 37) and an exception.
        {{k(K::diagnostics_echo), 0x03, 0x00, 0x00, 0xA5, 0x37}, "08 00 00 A5 37"},
        {{k(K::read_input_registers), 0x00, 0x08, 0x00, 0x00}, "84 02"},
    };
}

void captured_framing_seeds(SeedWriter& out) {
    for (const auto& pair : captured_rtu) {
        out.add("fuzz_rtu", Bytes{0} + from_hex(pair.request));
        if (!pair.response.empty()) {
            out.add("fuzz_rtu", Bytes{1} + from_hex(pair.response));
            out.add("fuzz_rtu", Bytes{1} + from_hex(pair.response) + from_hex(pair.response));
        }
    }
    for (const auto& pair : captured_pdu_pairs()) {
        const Bytes rsp = from_hex(pair.response);
        out.add("fuzz_pdu", pair.selection + rsp);
        out.add("fuzz_rtu", Bytes{3} + pair.selection + modbus::encode_rtu(1, rsp));
    }
    Bytes all_mbap;
    for (auto frame : captured_mbap) {
        out.add("fuzz_mbap", from_hex(frame));
        all_mbap = all_mbap + from_hex(frame);
    }
    out.add("fuzz_mbap", all_mbap);
    Bytes all_ascii;
    for (auto line : captured_ascii) {
        out.add("fuzz_ascii", text(line));
        all_ascii = all_ascii + text(line);
    }
    out.add("fuzz_ascii", all_ascii);
}

// fuzz_request: a setup byte (then, without bit 1, one address and count per table),
// then requests as a length byte and the PDU.
void request_seeds(SeedWriter& out) {
    std::vector<Bytes> requests;
    for (auto pdu : captured_requests) requests.push_back(from_hex(pdu));
    for (const Bytes& selection : request_selections()) {
        fuzz::ByteReader in(selection);
        const modbus::Pdu req = fuzz::derive_request(in);
        requests.emplace_back(req.begin(), req.end());
    }
    // A write, then reads of what it wrote (FC16, then FC3 over it; FC5, then FC1).
    requests.push_back(from_hex("03 00 01 00 02"));
    requests.push_back(from_hex("01 08 14 00 01"));
    const auto framed = [](const Bytes& pdu) {
        return Bytes{static_cast<std::uint8_t>(pdu.size())} + pdu;
    };
    // Every table mapped from 0 for 0x2000 addresses: the captures all fall inside.
    const Bytes ranges{0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00,
                       0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00};
    for (const Bytes& setup : {Bytes{0x02}, Bytes{0x03}, Bytes{0x0E}, Bytes{0x00} + ranges,
                               Bytes{0x01} + ranges}) {
        Bytes all = setup;
        for (const Bytes& req : requests) all = all + framed(req);
        out.add("fuzz_request", all);
    }
    for (const Bytes& req : requests) out.add("fuzz_request", Bytes{0x02} + framed(req));
    // The first finding of this target (a wrong invariant, not a server bug): a 45-register
    // device refuses 64 registers at 0xFFFD with 03 (quantity first), the gateway with 02.
    out.add("fuzz_request", Bytes{0xFF} + framed(from_hex("03 FF FD 00 40")));
}

// fuzz_sunspec: mode, base, then the registers of the simulator's field presets (Fronius,
// SMA, SolarEdge, Kostal: their common-model lengths, model sets and chain ends).
void sunspec_seeds(SeedWriter& out) {
    const auto as_bytes = [](const std::vector<std::uint16_t>& regs) {
        Bytes b;
        for (auto r : regs) modbus::put_u16(b, r);
        return b;
    };
    for (std::string_view preset : {"fronius", "sma", "solaredge", "kostal"}) {
        for (const auto& spec : sunspec::chain_preset(std::string(preset))) {
            const auto image = sunspec::chain_image(spec);
            if (!image) {
                std::fprintf(stderr, "make_seeds: preset %s: %s\n", std::string(preset).c_str(),
                             image.error().c_str());
                std::exit(1);
            }
            const Bytes regs = as_bytes(*image);
            const auto base = [](std::uint16_t b) {
                return Bytes{static_cast<std::uint8_t>(b >> 8), static_cast<std::uint8_t>(b)};
            };
            out.add("fuzz_sunspec", Bytes{0x00} + base(0) + regs);     // at 40000
            out.add("fuzz_sunspec", Bytes{0x01} + base(0) + regs);     // at 50000
            out.add("fuzz_sunspec", Bytes{0x02} + base(0) + regs);     // at 0
            out.add("fuzz_sunspec", Bytes{0x07} + base(40000) + regs); // --base, timeouts
            out.add("fuzz_sunspec", Bytes{0x08} + base(0) + regs);     // short answers
        }
    }
    // The marker in the last two registers (--base 65534): no room for a model after it.
    out.add("fuzz_sunspec", Bytes{0x07, 0xFF, 0xFE, 0x53, 0x75, 0x6E, 0x53});
}

void codec_seeds(SeedWriter& out) {
    // string length 4, unscaled (selector 10 picks 1.0), then registers holding the shared
    // golden values: 123456.0 as float32 ABCD, CDAB, BADC, DCBA, then "Hi!" and BCD 1234.
    const Bytes header{4, 10};
    const Bytes regs{0x47, 0xF1, 0x20, 0x00, 0x20, 0x00, 0x47, 0xF1, 0xF1, 0x47, 0x00,
                     0x20, 0x00, 0x20, 0xF1, 0x47, 'H',  'i',  '!',  0x00, 0x12, 0x34};
    out.add("fuzz_codec", header + regs);
    out.add("fuzz_codec", Bytes{2, 0} + regs);  // scaled by 0.1
    out.add("fuzz_codec", Bytes{1, 1, 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A,  // 0.1
                                0x40, 0x24, 0, 0, 0, 0, 0, 0} +                        // offset 10
                              regs);
    out.add("fuzz_codec", Bytes{0, 10, 0x7F, 0x80, 0x00, 0x01, 0xFC, 0x01, 0x80, 0x00, 0x00, 0x00});
}

// Captured stick records (reference §7) in reads of several sizes; the first byte picks
// the read size. Every vector of the reference is a seed on its own as well, and each
// protocol's exchange as one session.
void shine_seeds(SeedWriter& out) {
    namespace v = test::shine_vectors;
    const Bytes session = from_hex(v::v1_ping_v6) + from_hex(v::v7_data_v6) +
                          from_hex(v::v4_config_answer_v6);
    for (std::uint8_t chunk : {0, 15, 255}) out.add("fuzz_shine", Bytes{chunk} + session);
    out.add("fuzz_shine", Bytes{63} + from_hex(v::v3_ping_v5) + from_hex(v::v8_announce_v5) +
                              from_hex(v::v3_config_answer_v5));
    out.add("fuzz_shine", Bytes{31} + from_hex(v::v5_ping_v2) + from_hex(v::v5_config_answer_v2) +
                              from_hex(v::v5_reboot_answer_v2));

    // Captured, then (v7 and v8 acks, the time set) derived by the reference's rules.
    const std::string_view vectors[] = {
        v::v1_ping_v6,          v::v2_ping_v6,          v::v2_echo_v6_tid2,
        v::v3_ping_v5,          v::v3_config_read_v5,   v::v3_config_answer_v5,
        v::v3_config_write_v5,  v::v3_config_write_answer_v5,
        v::v4_config_read_v6,   v::v4_config_answer_v6, v::v4_register_read_v6,
        v::v5_ping_v2,          v::v5_data_ack_v2,      v::v5_announce_ack_v2,
        v::v5_config_read_v2,   v::v5_config_answer_v2, v::v5_reboot_v2,
        v::v5_reboot_answer_v2, v::v7_data_v6,          v::v7_ack_v6,
        v::v8_announce_v5,      v::v8_ack_v5,           v::time_set_v6,
    };
    for (auto hex : vectors) out.add("fuzz_shine", Bytes{255} + from_hex(hex));
    // The exchanges in order, both directions on one connection as a relay sees them.
    out.add("fuzz_shine", Bytes{255} + from_hex(v::v3_ping_v5) + from_hex(v::v3_config_read_v5) +
                              from_hex(v::v3_config_answer_v5) + from_hex(v::v3_config_write_v5) +
                              from_hex(v::v3_config_write_answer_v5));
    out.add("fuzz_shine", Bytes{7} + from_hex(v::v4_config_read_v6) +
                              from_hex(v::v4_config_answer_v6) + from_hex(v::v4_register_read_v6));
    out.add("fuzz_shine", Bytes{255} + from_hex(v::v5_ping_v2) + from_hex(v::v5_data_ack_v2) +
                              from_hex(v::v5_announce_ack_v2) + from_hex(v::v5_config_read_v2) +
                              from_hex(v::v5_config_answer_v2) + from_hex(v::v5_reboot_v2) +
                              from_hex(v::v5_reboot_answer_v2));
    out.add("fuzz_shine", Bytes{127} + from_hex(v::v2_ping_v6) + from_hex(v::v2_echo_v6_tid2) +
                              from_hex(v::v7_data_v6) + from_hex(v::v7_ack_v6) +
                              from_hex(v::time_set_v6));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    SeedWriter out(argv[1]);
    framing_seeds(out);
    captured_framing_seeds(out);
    codec_seeds(out);
    shine_seeds(out);
    request_seeds(out);
    sunspec_seeds(out);
    std::printf("make_seeds: %zu seeds in %s\n", out.total(), argv[1]);
    return 0;
}
