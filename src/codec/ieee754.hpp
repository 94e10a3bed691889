#pragma once
// IEEE 754 binary16, binary32 and binary64 between their bit patterns and double, the one
// floating type the rest of regpoll carries.
//
// NaN is handled bit by bit rather than by the FPU, so sign, payload and the quiet/signalling
// bit survive decode → double → encode for float32 and float16 (the payload bits that fit).
// Infinities and signed zeros are kept. Narrowing rounds to nearest, ties to even.
#include <bit>
#include <cstdint>

namespace regpoll::codec {

namespace ieee754_detail {
constexpr std::uint64_t double_exponent_mask = 0x7FF0000000000000ULL;
constexpr std::uint64_t double_mantissa_mask = 0x000FFFFFFFFFFFFFULL;
constexpr std::uint64_t double_sign_mask = 0x8000000000000000ULL;

constexpr bool is_nan_bits(std::uint64_t bits) {
    return (bits & double_exponent_mask) == double_exponent_mask &&
           (bits & double_mantissa_mask) != 0;
}

// Round `value >> shift` to nearest, ties to even (1 <= shift <= 63).
constexpr std::uint64_t shift_right_rounded(std::uint64_t value, unsigned shift) {
    const std::uint64_t kept = value >> shift;
    const std::uint64_t rest = value & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    return (rest > half || (rest == half && (kept & 1U) != 0)) ? kept + 1 : kept;
}
}  // namespace ieee754_detail

constexpr double decode_float64(std::uint64_t bits) {
    return std::bit_cast<double>(bits);
}
constexpr std::uint64_t encode_float64(double value) {
    return std::bit_cast<std::uint64_t>(value);
}

// Exact: every binary32 value is a double.
constexpr double decode_float32(std::uint32_t bits) {
    const bool is_nan = (bits & 0x7F800000U) == 0x7F800000U && (bits & 0x7FFFFFU) != 0;
    if (!is_nan) return static_cast<double>(std::bit_cast<float>(bits));
    // Move the 23 payload bits to the top of the 52-bit mantissa.
    const std::uint64_t sign = static_cast<std::uint64_t>(bits >> 31) << 63;
    const std::uint64_t payload = static_cast<std::uint64_t>(bits & 0x7FFFFFU) << 29;
    return std::bit_cast<double>(sign | ieee754_detail::double_exponent_mask | payload);
}

// Finite values beyond float32's range become infinity here; encode() refuses them before.
constexpr std::uint32_t encode_float32(double value) {
    const auto bits = std::bit_cast<std::uint64_t>(value);
    const auto sign = static_cast<std::uint32_t>(bits >> 32) & 0x80000000U;
    if (ieee754_detail::is_nan_bits(bits)) {
        auto payload =
            static_cast<std::uint32_t>((bits & ieee754_detail::double_mantissa_mask) >> 29);
        if (payload == 0) payload = 0x400000U;  // only low payload bits: keep it a NaN
        return sign | 0x7F800000U | payload;
    }
    // Half-way between FLT_MAX and 2^128 and beyond round to infinity, and converting them
    // with a cast would be undefined behaviour.
    const double magnitude = value < 0 ? -value : value;
    if (magnitude >= 0x1.ffffffp+127) return sign | 0x7F800000U;
    return std::bit_cast<std::uint32_t>(static_cast<float>(value));
}

// Exact: every binary16 value is a double.
constexpr double decode_float16(std::uint16_t bits) {
    const std::uint64_t sign = static_cast<std::uint64_t>(bits >> 15) << 63;
    const unsigned exponent = (bits >> 10) & 0x1FU;
    const std::uint64_t mantissa = bits & 0x3FFU;
    if (exponent == 0x1F) {  // infinity (mantissa 0) or NaN (payload kept at the top)
        return std::bit_cast<double>(sign | ieee754_detail::double_exponent_mask |
                                     (mantissa << 42));
    }
    if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
        const double magnitude = static_cast<double>(mantissa) * 0x1p-24;
        return sign != 0 ? -magnitude : magnitude;
    }
    const std::uint64_t double_exponent = exponent - 15 + 1023;
    return std::bit_cast<double>(sign | (double_exponent << 52) | (mantissa << 42));
}

// Magnitudes from 65520 up round to infinity (the largest finite half is 65504).
constexpr std::uint16_t encode_float16(double value) {
    using namespace ieee754_detail;
    const auto bits = std::bit_cast<std::uint64_t>(value);
    const auto sign = static_cast<std::uint16_t>((bits & double_sign_mask) >> 48);
    const auto exponent = static_cast<int>((bits & double_exponent_mask) >> 52);
    const std::uint64_t mantissa = bits & double_mantissa_mask;
    if (exponent == 0x7FF) {
        auto payload = static_cast<std::uint16_t>(mantissa >> 42);
        if (mantissa != 0 && payload == 0) payload = 0x200;  // keep a NaN a NaN
        return static_cast<std::uint16_t>(sign | 0x7C00U | payload);
    }
    if (exponent == 0) return sign;  // zero, or a double subnormal far below half's range

    const int unbiased = exponent - 1023;
    if (unbiased > 15) return static_cast<std::uint16_t>(sign | 0x7C00U);
    if (unbiased >= -14) {
        // Normal half. A rounding carry out of the mantissa bumps the exponent, up to
        // infinity (0x7C00) when rounding past 65504: exactly the IEEE result.
        const std::uint64_t combined = (static_cast<std::uint64_t>(unbiased + 15) << 52) | mantissa;
        return static_cast<std::uint16_t>(sign | shift_right_rounded(combined, 42));
    }
    // Subnormal half: the value in units of 2^-24, from the 53-bit significand.
    const unsigned shift = static_cast<unsigned>(28 - unbiased);  // >= 43
    if (shift >= 54) return sign;  // below half of the smallest subnormal
    const std::uint64_t significand = mantissa | (std::uint64_t{1} << 52);
    return static_cast<std::uint16_t>(sign | shift_right_rounded(significand, shift));
}

}  // namespace regpoll::codec
