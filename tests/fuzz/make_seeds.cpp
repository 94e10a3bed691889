// Writes the seed corpora of the fuzz targets: make_seeds OUT_DIR creates
// OUT_DIR/<target>/seed-NN. Seeds are built with regpoll's own encoders and builders, so
// they are valid frames the fuzzer mutates from, and no binary file is committed.
#include <cstdint>
#include <cstdio>
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

using namespace regpoll;
using Bytes = std::vector<std::uint8_t>;
using fuzz::RequestKind;

namespace {

Bytes operator+(Bytes a, std::span<const std::uint8_t> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
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

Bytes from_hex(std::string_view hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

// Captured stick records (reference §7) in reads of several sizes; the first byte picks
// the read size.
void shine_seeds(SeedWriter& out) {
    namespace v = test::shine_vectors;
    const Bytes session = from_hex(v::v1_ping_v6) + from_hex(v::v7_data_v6) +
                          from_hex(v::v4_config_answer_v6);
    for (std::uint8_t chunk : {0, 15, 255}) out.add("fuzz_shine", Bytes{chunk} + session);
    out.add("fuzz_shine", Bytes{63} + from_hex(v::v3_ping_v5) + from_hex(v::v8_announce_v5) +
                              from_hex(v::v3_config_answer_v5));
    out.add("fuzz_shine", Bytes{31} + from_hex(v::v5_ping_v2) + from_hex(v::v5_config_answer_v2) +
                              from_hex(v::v5_reboot_answer_v2));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    SeedWriter out(argv[1]);
    framing_seeds(out);
    codec_seeds(out);
    shine_seeds(out);
    std::printf("make_seeds: %zu seeds in %s\n", out.total(), argv[1]);
    return 0;
}
