#include "modbus/pdu_length.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/pdu.hpp"

namespace regpoll::modbus {
namespace {

using test::hex;
using Kind = LengthProbe::Kind;

std::size_t complete_length(const std::vector<std::uint8_t>& pdu, bool response) {
    // Every strict prefix must ask for more; the whole PDU must be complete.
    for (std::size_t n = 0; n < pdu.size(); ++n) {
        auto prefix = std::span<const std::uint8_t>(pdu).first(n);
        auto p = response ? response_pdu_length(prefix) : request_pdu_length(prefix);
        if (p.kind == Kind::complete) return p.length;  // decided early: fine if right
        EXPECT_EQ(p.kind, Kind::need_more) << "prefix " << n;
    }
    auto p = response ? response_pdu_length(pdu) : request_pdu_length(pdu);
    EXPECT_EQ(p.kind, Kind::complete);
    return p.length;
}

TEST(PduLength, ResponsesFromTheirOwnPrefix) {
    for (const char* text : {"03 06 02 2B 00 00 00 64", "01 03 CD 6B 05", "83 02", "06 00 01 00 03",
                             "10 00 01 00 02", "16 00 04 00 F2 00 25", "11 03 2A FF 07",
                             "17 02 00 FE", "2B 0E 01 01 00 00 02 00 03 41 42 43 01 01 58"}) {
        auto pdu = hex(text);
        EXPECT_EQ(complete_length(pdu, true), pdu.size()) << text;
    }
}

TEST(PduLength, RequestsFromTheirOwnPrefix) {
    for (const char* text : {"03 00 6B 00 03", "05 00 AC FF 00", "0F 00 13 00 0A 02 CD 01",
                             "10 00 01 00 02 04 00 0A 01 02", "16 00 04 00 F2 00 25",
                             "17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF", "2B 0E 01 00",
                             "11", "08 00 00 A5 37"}) {
        auto pdu = hex(text);
        EXPECT_EQ(complete_length(pdu, false), pdu.size()) << text;
    }
}

TEST(PduLength, EchoLengthComesFromTheRequest) {
    auto req = hex("08 00 00 01 02 03 04");
    auto p = response_pdu_length(hex("08"), req);
    EXPECT_EQ(p.kind, Kind::complete);
    EXPECT_EQ(p.length, req.size());
}

TEST(PduLength, ImpossibleFunctionCodesAreInvalid) {
    EXPECT_EQ(response_pdu_length(hex("00")).kind, Kind::invalid);
    EXPECT_EQ(response_pdu_length(hex("41 00")).kind, Kind::invalid);
    EXPECT_EQ(response_pdu_length(hex("2B 0D")).kind, Kind::invalid);
    EXPECT_EQ(request_pdu_length(hex("00")).kind, Kind::invalid);
    EXPECT_EQ(request_pdu_length(hex("80")).kind, Kind::invalid);
}

TEST(PduLength, ExpectedNormalResponseLengthFromTheRequest) {
    EXPECT_EQ(expected_response_pdu_length(*make_read_request(Function::read_coils, 0, 19)), 5U);
    EXPECT_EQ(expected_response_pdu_length(
                  *make_read_request(Function::read_holding_registers, 0, 125)), 252U);
    EXPECT_EQ(expected_response_pdu_length(make_write_single_register(0, 1)), 5U);
    EXPECT_EQ(expected_response_pdu_length(make_mask_write_register(0, 1, 2)), 7U);
    EXPECT_EQ(expected_response_pdu_length(make_report_server_id()), 0U);
}

}  // namespace
}  // namespace regpoll::modbus
