#pragma once
// What the fuzz targets share: a reader that takes control bytes from the front of the
// input (so a seed file reads as "mode, request, then the frame"), the requests a fuzz
// input selects, and an invariant check that survives NDEBUG (assert would not).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <system_error>

#include "modbus/error.hpp"
#include "modbus/pdu.hpp"

namespace regpoll::fuzz {

// Aborts (libFuzzer then saves the input as crash-*) when an invariant does not hold.
// The builtins name the caller's line: clang 14 cannot compile libstdc++'s
// std::source_location.
inline void require(bool ok, const char* what, const char* file = __builtin_FILE(),
                    unsigned line = __builtin_LINE()) {
    if (ok) return;
    std::fprintf(stderr, "invariant violated: %s (%s:%u)\n", what, file, line);
    std::abort();
}

// Reads from the front; past the end every read gives zeros, so short inputs still
// select something.
class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

    std::uint8_t u8() {
        if (data_.empty()) return 0;
        const std::uint8_t v = data_.front();
        data_ = data_.subspan(1);
        return v;
    }
    std::uint16_t u16() {  // big endian, like the wire
        const std::uint8_t high = u8();
        return static_cast<std::uint16_t>((high << 8) | u8());
    }
    // Up to `n` bytes (fewer at the end of the input).
    std::span<const std::uint8_t> bytes(std::size_t n) {
        const std::size_t take = n < data_.size() ? n : data_.size();
        const auto out = data_.first(take);
        data_ = data_.subspan(take);
        return out;
    }
    std::span<const std::uint8_t> rest() const { return data_; }

  private:
    std::span<const std::uint8_t> data_;
};

// The request shapes a fuzz input can select with its selector byte (modulo the count).
// The seed generator writes these values, so their order is part of the seed format.
enum class RequestKind : std::uint8_t {
    read_coils,
    read_discrete_inputs,
    read_holding_registers,
    read_input_registers,
    write_single_coil,
    write_single_register,
    write_multiple_coils,
    write_multiple_registers,
    mask_write_register,
    read_write_registers,
    read_device_identification,
    diagnostics_echo,
    report_server_id,
    count
};

// A valid request built by regpoll's own builders (the only way requests reach the wire),
// from: selector, then per kind address / quantity / values. Out-of-range quantities are
// folded into range rather than rejected, so every input yields a request.
modbus::Pdu derive_request(ByteReader& in);

// Checks that an error from a parser is a readable modbus-category code.
inline void require_readable_error(std::error_code ec) {
    require(static_cast<bool>(ec), "an error result carries an error code");
    require(ec.category() == modbus::modbus_category(), "parser errors are modbus errors");
    require(!ec.message().empty(), "error code has a message");
}

}  // namespace regpoll::fuzz
