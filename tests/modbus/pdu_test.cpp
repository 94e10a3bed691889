#include "modbus/pdu.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/error.hpp"

namespace regpoll::modbus {
namespace {

using test::hex;

TEST(PduBuild, ReadRequestsForEveryReadFunction) {
    EXPECT_EQ(*make_read_request(Function::read_coils, 0x13, 0x13), hex("01 00 13 00 13"));
    EXPECT_EQ(*make_read_request(Function::read_discrete_inputs, 0xC4, 0x16), hex("02 00 C4 00 16"));
    EXPECT_EQ(*make_read_request(Function::read_holding_registers, 0x6B, 3), hex("03 00 6B 00 03"));
    EXPECT_EQ(*make_read_request(Function::read_input_registers, 8, 1), hex("04 00 08 00 01"));
}

TEST(PduBuild, ReadLimitsAreEnforced) {
    EXPECT_TRUE(make_read_request(Function::read_holding_registers, 0, 125));
    EXPECT_FALSE(make_read_request(Function::read_holding_registers, 0, 126));
    EXPECT_FALSE(make_read_request(Function::read_holding_registers, 0, 0));
    EXPECT_TRUE(make_read_request(Function::read_coils, 0, 2000));
    EXPECT_FALSE(make_read_request(Function::read_coils, 0, 2001));
    // address + quantity must stay within 65536
    EXPECT_TRUE(make_read_request(Function::read_input_registers, 65535, 1));
    EXPECT_FALSE(make_read_request(Function::read_input_registers, 65535, 2));
    EXPECT_FALSE(make_read_request(Function::write_single_coil, 0, 1));
    EXPECT_EQ(make_read_request(Function::read_coils, 0, 0).error(), Errc::invalid_request);
}

TEST(PduBuild, WriteRequests) {
    EXPECT_EQ(make_write_single_coil(0xAC, true), hex("05 00 AC FF 00"));
    EXPECT_EQ(make_write_single_coil(0xAC, false), hex("05 00 AC 00 00"));
    EXPECT_EQ(make_write_single_register(1, 3), hex("06 00 01 00 03"));
    std::vector<bool> bits{true, false, true, true, false, false, true, true, true, false};
    EXPECT_EQ(*make_write_multiple_coils(0x13, bits), hex("0F 00 13 00 0A 02 CD 01"));
    std::vector<std::uint16_t> regs{0x000A, 0x0102};
    EXPECT_EQ(*make_write_multiple_registers(1, regs), hex("10 00 01 00 02 04 00 0A 01 02"));
    EXPECT_EQ(make_mask_write_register(4, 0xF2, 0x25), hex("16 00 04 00 F2 00 25"));
    std::vector<std::uint16_t> rw{0x00FF, 0x00FF, 0x00FF};
    EXPECT_EQ(*make_read_write_registers(3, 6, 0x0E, rw),
              hex("17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF"));
    EXPECT_EQ(*make_read_device_identification(1, 0), hex("2B 0E 01 00"));
    std::vector<std::uint8_t> echo{0xA5, 0x37};
    EXPECT_EQ(*make_diagnostics_echo(echo), hex("08 00 00 A5 37"));
    EXPECT_EQ(make_report_server_id(), hex("11"));
}

TEST(PduBuild, WriteLimitsAreEnforced) {
    EXPECT_TRUE(make_write_multiple_registers(0, std::vector<std::uint16_t>(123)));
    EXPECT_FALSE(make_write_multiple_registers(0, std::vector<std::uint16_t>(124)));
    EXPECT_FALSE(make_write_multiple_registers(0, std::vector<std::uint16_t>{}));
    EXPECT_FALSE(make_write_multiple_registers(65535, std::vector<std::uint16_t>(2)));
    EXPECT_TRUE(make_write_multiple_coils(0, std::vector<bool>(1968)));
    EXPECT_FALSE(make_write_multiple_coils(0, std::vector<bool>(1969)));
    EXPECT_TRUE(make_read_write_registers(0, 125, 0, std::vector<std::uint16_t>(121)));
    EXPECT_FALSE(make_read_write_registers(0, 126, 0, std::vector<std::uint16_t>(1)));
    EXPECT_FALSE(make_read_write_registers(0, 1, 0, std::vector<std::uint16_t>(122)));
    EXPECT_FALSE(make_read_device_identification(0, 0));
    EXPECT_FALSE(make_read_device_identification(5, 0));
    EXPECT_FALSE(make_diagnostics_echo(std::vector<std::uint8_t>(251)));
}

TEST(PduCheck, RegistersAreParsedAfterEveryCheck) {
    auto req = *make_read_request(Function::read_holding_registers, 0x6B, 3);
    auto regs = parse_registers(req, hex("03 06 02 2B 00 00 00 64"));
    ASSERT_TRUE(regs);
    EXPECT_EQ(*regs, (std::vector<std::uint16_t>{0x022B, 0, 0x64}));
    EXPECT_EQ(parse_registers(req, hex("03 04 02 2B 00 00")).error(), Errc::byte_count_mismatch);
    EXPECT_EQ(parse_registers(req, hex("03 06 02 2B 00 00 00")).error(), Errc::malformed_frame);
    EXPECT_EQ(parse_registers(req, hex("04 06 02 2B 00 00 00 64")).error(), Errc::function_mismatch);
    EXPECT_EQ(parse_registers(req, hex("83 02")).error(), make_exception_error(2));
    EXPECT_EQ(parse_registers(req, hex("83 02")).error().message(),
              "exception ILLEGAL DATA ADDRESS (2)");
    EXPECT_EQ(parse_registers(req, hex("83")).error(), Errc::malformed_frame);
    EXPECT_EQ(parse_registers(req, {}).error(), Errc::malformed_frame);
}

TEST(PduCheck, BitsKeepOnlyTheRequestedQuantity) {
    auto req = *make_read_request(Function::read_coils, 0x13, 0x13);
    auto bits = parse_bits(req, hex("01 03 CD 6B 05"));
    ASSERT_TRUE(bits);
    ASSERT_EQ(bits->size(), 19U);
    std::vector<bool> expected{1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1};
    EXPECT_EQ(*bits, expected);
    // Extra bits set past the quantity (a known device deviation) are ignored.
    auto bits2 = parse_bits(req, hex("01 03 CD 6B FD"));
    ASSERT_TRUE(bits2);
    EXPECT_EQ(*bits2, expected);
    EXPECT_EQ(parse_bits(req, hex("01 02 CD 6B")).error(), Errc::byte_count_mismatch);
}

TEST(PduCheck, WriteEchoesAreVerified) {
    auto single = make_write_single_register(1, 3);
    EXPECT_FALSE(check_response(single, hex("06 00 01 00 03")));
    EXPECT_EQ(check_response(single, hex("06 00 01 00 04")), Errc::echo_mismatch);
    EXPECT_EQ(check_response(single, hex("06 00 01 00")), Errc::malformed_frame);
    auto coil = make_write_single_coil(0xAC, true);
    EXPECT_FALSE(check_response(coil, hex("05 00 AC FF 00")));
    auto multi = *make_write_multiple_registers(1, std::vector<std::uint16_t>{10, 258});
    EXPECT_FALSE(check_response(multi, hex("10 00 01 00 02")));
    EXPECT_EQ(check_response(multi, hex("10 00 01 00 03")), Errc::echo_mismatch);
    EXPECT_EQ(check_response(multi, hex("10 00 02 00 02")), Errc::echo_mismatch);
    auto coils = *make_write_multiple_coils(0x13, std::vector<bool>(10, true));
    EXPECT_FALSE(check_response(coils, hex("0F 00 13 00 0A")));
    auto mask = make_mask_write_register(4, 0xF2, 0x25);
    EXPECT_FALSE(check_response(mask, hex("16 00 04 00 F2 00 25")));
    EXPECT_EQ(check_response(mask, hex("16 00 04 00 F2 00 26")), Errc::echo_mismatch);
    auto echo = *make_diagnostics_echo(std::vector<std::uint8_t>{0xA5, 0x37});
    EXPECT_FALSE(check_response(echo, hex("08 00 00 A5 37")));
    EXPECT_EQ(check_response(echo, hex("08 00 00 A5 38")), Errc::echo_mismatch);
}

TEST(PduCheck, ReadWriteMultipleReturnsTheReadRegisters) {
    auto req = *make_read_write_registers(3, 6, 0x0E, std::vector<std::uint16_t>{0xFF, 0xFF, 0xFF});
    auto regs = parse_registers(req, hex("17 0C 00 FE 0A CD 00 01 00 03 00 0D 00 FF"));
    ASSERT_TRUE(regs);
    EXPECT_EQ(regs->size(), 6U);
    EXPECT_EQ((*regs)[1], 0x0ACD);
}

TEST(PduCheck, DeviceIdentification) {
    auto req = *make_read_device_identification(1, 0);
    auto rsp = hex("2B 0E 01 01 00 00 03 00 03 41 42 43 01 02 58 59 02 03 31 2E 30");
    auto id = parse_device_identification(req, rsp);
    ASSERT_TRUE(id);
    EXPECT_EQ(id->object(0), "ABC");
    EXPECT_EQ(id->object(1), "XY");
    EXPECT_EQ(id->object(2), "1.0");
    EXPECT_EQ(id->object(5), "");
    EXPECT_FALSE(id->more_follows);
    // an object length running past the end is rejected
    auto bad = hex("2B 0E 01 01 00 00 01 00 09 41 42");
    EXPECT_EQ(parse_device_identification(req, bad).error(), Errc::malformed_frame);
    EXPECT_EQ(parse_device_identification(req, hex("AB 01")).error(), make_exception_error(1));
}

TEST(PduCheck, ReportServerId) {
    auto req = make_report_server_id();
    auto id = parse_report_server_id(req, hex("11 03 2A FF 07"));
    ASSERT_TRUE(id);
    EXPECT_EQ(id->data, hex("2A FF 07"));
    EXPECT_EQ(parse_report_server_id(req, hex("11 04 2A FF 07")).error(), Errc::malformed_frame);
}

}  // namespace
}  // namespace regpoll::modbus
