// Google Benchmark: decode throughput (items = values decoded) for the common types and
// orders, CRC-16, and MBAP / RTU response parsing (items = frames). Figures only.
#include <cstdint>
#include <span>
#include <vector>

#include <benchmark/benchmark.h>

#include "codec/checksum.hpp"
#include "codec/value_codec.hpp"
#include "modbus/mbap.hpp"
#include "modbus/pdu.hpp"
#include "modbus/rtu.hpp"

namespace {

using namespace regpoll;
using codec::ByteOrder;
using codec::Type;
using codec::WordOrder;

// One full FC3 read (120 registers, a multiple of 1, 2, 4 and 8), deterministic contents.
std::vector<std::uint16_t> sample_registers() {
    std::vector<std::uint16_t> regs(120);
    std::uint32_t x = 12345;
    for (auto& r : regs) {
        x = x * 1103515245U + 12345U;
        r = static_cast<std::uint16_t>(x >> 16);
    }
    return regs;
}

codec::Format format(Type type, ByteOrder bytes = ByteOrder::big, WordOrder words = WordOrder::big,
                     std::size_t length = 0) {
    codec::Format f;
    f.type = type;
    f.byte_order = bytes;
    f.word_order = words;
    f.length = length;
    return f;
}

// Decodes every value of the block back to back, as the poller does after one read.
void decode_block(benchmark::State& state, codec::Format f) {
    const auto regs = sample_registers();
    const std::span<const std::uint16_t> all(regs);
    const std::size_t width = codec::register_count(f);
    const std::size_t values = regs.size() / width;
    for (auto _ : state) {
        for (std::size_t i = 0; i < values; ++i) {
            auto value = codec::decode(all.subspan(i * width, width), f);
            benchmark::DoNotOptimize(value);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * values));
}

codec::Format scaled(codec::Format f, double scale) {
    f.scale = scale;
    return f;
}

BENCHMARK_CAPTURE(decode_block, int16, format(Type::int16));
BENCHMARK_CAPTURE(decode_block, int16_scaled, scaled(format(Type::int16), 0.1));
BENCHMARK_CAPTURE(decode_block, uint32_CDAB,
                  format(Type::uint32, ByteOrder::big, WordOrder::little));
BENCHMARK_CAPTURE(decode_block, float32_ABCD, format(Type::float32));
BENCHMARK_CAPTURE(decode_block, float32_DCBA,
                  format(Type::float32, ByteOrder::little, WordOrder::little));
BENCHMARK_CAPTURE(decode_block, float64_ABCDEFGH, format(Type::float64));
BENCHMARK_CAPTURE(decode_block, string_16chars,
                  format(Type::string, ByteOrder::big, WordOrder::big, 8));

std::vector<std::uint8_t> read_response_pdu(std::uint16_t registers) {
    modbus::Pdu pdu{static_cast<std::uint8_t>(modbus::Function::read_holding_registers),
                    static_cast<std::uint8_t>(registers * 2)};
    for (std::uint16_t i = 0; i < registers; ++i)
        modbus::put_u16(pdu, static_cast<std::uint16_t>(i * 7));
    return pdu;
}

void crc16_max_frame(benchmark::State& state) {
    std::vector<std::uint8_t> frame(254);  // the largest RTU ADU without its CRC
    for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::uint8_t>(i * 31);
    for (auto _ : state) benchmark::DoNotOptimize(codec::crc16(frame));
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(crc16_max_frame);

// A 50-register FC3 response, the size the TCP rate benchmark reads.
void parse_mbap_response(benchmark::State& state) {
    const auto adu = modbus::encode_mbap(7, 1, read_response_pdu(50));
    for (auto _ : state) {
        auto r = modbus::parse_mbap(adu);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(parse_mbap_response);

// The whole receive path of one MBAP response: frame, check against the request, values.
void mbap_response_to_registers(benchmark::State& state) {
    const auto request =
        modbus::make_read_request(modbus::Function::read_holding_registers, 0, 50).value();
    const auto adu = modbus::encode_mbap(7, 1, read_response_pdu(50));
    for (auto _ : state) {
        auto r = modbus::parse_mbap(adu);
        auto regs = modbus::parse_registers(request, r.adu.pdu);
        benchmark::DoNotOptimize(regs);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(mbap_response_to_registers);

void parse_rtu_response(benchmark::State& state) {
    const auto request =
        modbus::make_read_request(modbus::Function::read_holding_registers, 0, 50).value();
    const auto adu = modbus::encode_rtu(1, read_response_pdu(50));
    for (auto _ : state) {
        auto r = modbus::parse_rtu(adu, modbus::Direction::response, request);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(parse_rtu_response);

}  // namespace

BENCHMARK_MAIN();
