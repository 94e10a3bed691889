#pragma once
// One table of values and the exact registers that hold them, used by the decoder tests
// (registers → value) and the encoder tests (value → registers) alike. Register words were
// worked out independently (Python struct) from the big-endian bytes A B C D ...:
// ABCD as is, BADC bytes swapped in each register, CDAB registers reversed, DCBA both.
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "codec/format.hpp"
#include "codec/value.hpp"

namespace regpoll::codec::test {

struct GoldenVector {
    std::string_view name;  // test-name suffix, so letters, digits and _ only
    Format format;
    std::vector<std::uint16_t> registers;
    Value value;
};

// gtest looks this up by name to print a failing parameter.
inline void PrintTo(const GoldenVector& vector,  // NOLINT(readability-identifier-naming)
                    std::ostream* out) {
    *out << vector.name;
}

inline Format golden_format(Type type, std::string_view order) {
    Format format;
    format.type = type;
    const bool bytes_swapped = order == "BADC" || order == "DCBA";
    const bool words_swapped = order == "CDAB" || order == "DCBA";
    format.byte_order = bytes_swapped ? ByteOrder::little : ByteOrder::big;
    format.word_order = words_swapped ? WordOrder::little : WordOrder::big;
    return format;
}

inline Format golden_byte(Type type, RegisterByte byte) {
    Format format;
    format.type = type;
    format.byte = byte;
    return format;
}

inline Format golden_string(std::string_view order, std::size_t length) {
    Format format = golden_format(Type::string, order);
    format.length = length;
    return format;
}

inline const std::vector<GoldenVector>& golden_vectors() {
    using I = std::int64_t;
    using U = std::uint64_t;
    static const std::vector<GoldenVector> table = {
        // 123456.0f = 0x47F12000
        {"float32_123456_ABCD", golden_format(Type::float32, "ABCD"), {0x47F1, 0x2000}, 123456.0},
        {"float32_123456_BADC", golden_format(Type::float32, "BADC"), {0xF147, 0x0020}, 123456.0},
        {"float32_123456_CDAB", golden_format(Type::float32, "CDAB"), {0x2000, 0x47F1}, 123456.0},
        {"float32_123456_DCBA", golden_format(Type::float32, "DCBA"), {0x0020, 0xF147}, 123456.0},
        // -1.5f = 0xBFC00000
        {"float32_minus1_5_ABCD", golden_format(Type::float32, "ABCD"), {0xBFC0, 0x0000}, -1.5},
        {"float32_minus1_5_BADC", golden_format(Type::float32, "BADC"), {0xC0BF, 0x0000}, -1.5},
        {"float32_minus1_5_CDAB", golden_format(Type::float32, "CDAB"), {0x0000, 0xBFC0}, -1.5},
        {"float32_minus1_5_DCBA", golden_format(Type::float32, "DCBA"), {0x0000, 0xC0BF}, -1.5},
        // -123456 = 0xFFFE1DC0
        {"int32_minus123456_ABCD",
         golden_format(Type::int32, "ABCD"),
         {0xFFFE, 0x1DC0},
         I{-123456}},
        {"int32_minus123456_BADC",
         golden_format(Type::int32, "BADC"),
         {0xFEFF, 0xC01D},
         I{-123456}},
        {"int32_minus123456_CDAB",
         golden_format(Type::int32, "CDAB"),
         {0x1DC0, 0xFFFE},
         I{-123456}},
        {"int32_minus123456_DCBA",
         golden_format(Type::int32, "DCBA"),
         {0xC01D, 0xFEFF},
         I{-123456}},
        // 3000000000 = 0xB2D05E00, above INT32_MAX
        {"uint32_3e9_ABCD", golden_format(Type::uint32, "ABCD"), {0xB2D0, 0x5E00}, I{3000000000}},
        {"uint32_3e9_BADC", golden_format(Type::uint32, "BADC"), {0xD0B2, 0x005E}, I{3000000000}},
        {"uint32_3e9_CDAB", golden_format(Type::uint32, "CDAB"), {0x5E00, 0xB2D0}, I{3000000000}},
        {"uint32_3e9_DCBA", golden_format(Type::uint32, "DCBA"), {0x005E, 0xD0B2}, I{3000000000}},
        // -1234567890123 = 0xFFFFFEE08E04FB35
        {"int64_ABCDEFGH",
         golden_format(Type::int64, "ABCD"),
         {0xFFFF, 0xFEE0, 0x8E04, 0xFB35},
         I{-1234567890123}},
        {"int64_BADCFEHG",
         golden_format(Type::int64, "BADC"),
         {0xFFFF, 0xE0FE, 0x048E, 0x35FB},
         I{-1234567890123}},
        {"int64_GHEFCDAB",
         golden_format(Type::int64, "CDAB"),
         {0xFB35, 0x8E04, 0xFEE0, 0xFFFF},
         I{-1234567890123}},
        {"int64_HGFEDCBA",
         golden_format(Type::int64, "DCBA"),
         {0x35FB, 0x048E, 0xE0FE, 0xFFFF},
         I{-1234567890123}},
        // 0xFEDCBA9876543210, above INT64_MAX: stays a uint64_t
        {"uint64_ABCDEFGH",
         golden_format(Type::uint64, "ABCD"),
         {0xFEDC, 0xBA98, 0x7654, 0x3210},
         U{0xFEDCBA9876543210}},
        {"uint64_BADCFEHG",
         golden_format(Type::uint64, "BADC"),
         {0xDCFE, 0x98BA, 0x5476, 0x1032},
         U{0xFEDCBA9876543210}},
        {"uint64_GHEFCDAB",
         golden_format(Type::uint64, "CDAB"),
         {0x3210, 0x7654, 0xBA98, 0xFEDC},
         U{0xFEDCBA9876543210}},
        {"uint64_HGFEDCBA",
         golden_format(Type::uint64, "DCBA"),
         {0x1032, 0x5476, 0x98BA, 0xDCFE},
         U{0xFEDCBA9876543210}},
        // 123456.789 = 0x40FE240C9FBE76C9
        {"float64_ABCDEFGH",
         golden_format(Type::float64, "ABCD"),
         {0x40FE, 0x240C, 0x9FBE, 0x76C9},
         123456.789},
        {"float64_BADCFEHG",
         golden_format(Type::float64, "BADC"),
         {0xFE40, 0x0C24, 0xBE9F, 0xC976},
         123456.789},
        {"float64_GHEFCDAB",
         golden_format(Type::float64, "CDAB"),
         {0x76C9, 0x9FBE, 0x240C, 0x40FE},
         123456.789},
        {"float64_HGFEDCBA",
         golden_format(Type::float64, "DCBA"),
         {0xC976, 0xBE9F, 0x0C24, 0xFE40},
         123456.789},
        {"float64_minus1_5_GHEFCDAB",
         golden_format(Type::float64, "CDAB"),
         {0x0000, 0x0000, 0x0000, 0xBFF8},
         -1.5},
        // One register: only the byte order applies.
        {"int16_minus1234", golden_format(Type::int16, "ABCD"), {0xFB2E}, I{-1234}},
        {"int16_minus1234_byte_little", golden_format(Type::int16, "BADC"), {0x2EFB}, I{-1234}},
        {"uint16_64302", golden_format(Type::uint16, "ABCD"), {0xFB2E}, I{64302}},
        {"float16_1", golden_format(Type::float16, "ABCD"), {0x3C00}, 1.0},
        {"float16_1_byte_little", golden_format(Type::float16, "BADC"), {0x003C}, 1.0},
        {"float16_minus2", golden_format(Type::float16, "ABCD"), {0xC000}, -2.0},
        {"float16_max", golden_format(Type::float16, "ABCD"), {0x7BFF}, 65504.0},
        {"float16_smallest_subnormal", golden_format(Type::float16, "ABCD"), {0x0001}, 0x1p-24},
        {"bcd_1234", golden_format(Type::bcd, "ABCD"), {0x1234}, I{1234}},
        {"bcd_1234_byte_little", golden_format(Type::bcd, "BADC"), {0x3412}, I{1234}},
        {"bcd32_12345678", golden_format(Type::bcd32, "ABCD"), {0x1234, 0x5678}, I{12345678}},
        {"bcd32_12345678_CDAB", golden_format(Type::bcd32, "CDAB"), {0x5678, 0x1234}, I{12345678}},
        {"int8_high_minus1", golden_byte(Type::int8, RegisterByte::high), {0xFF00}, I{-1}},
        {"int8_low_minus128", golden_byte(Type::int8, RegisterByte::low), {0x0080}, I{-128}},
        {"uint8_high_200", golden_byte(Type::uint8, RegisterByte::high), {0xC800}, I{200}},
        {"uint8_low_200", golden_byte(Type::uint8, RegisterByte::low), {0x00C8}, I{200}},
        {"bool_true", golden_format(Type::boolean, "ABCD"), {0x0001}, true},
        {"bool_false", golden_format(Type::boolean, "ABCD"), {0x0000}, false},
        // "AB12": 'A' 0x41 'B' 0x42 '1' 0x31 '2' 0x32
        {"string_AB12", golden_string("ABCD", 2), {0x4142, 0x3132}, std::string("AB12")},
        {"string_AB12_byte_little",
         golden_string("BADC", 2),
         {0x4241, 0x3231},
         std::string("AB12")},
        {"string_AB_padded", golden_string("ABCD", 3), {0x4142, 0x0000, 0x0000}, std::string("AB")},
    };
    return table;
}

}  // namespace regpoll::codec::test
