// The request handler against a unit with known tables, one table of request → response
// per function code; normal responses are cross-checked with the master's own response
// checks (modbus::check_response).
#include "server/request_handler.hpp"

#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/pdu.hpp"

namespace regpoll::server {
namespace {

using test::hex;
using test::to_hex;
using Regs = std::vector<std::uint16_t>;
using Bits = std::vector<bool>;

struct Case {
    const char* what;
    const char* request;
    const char* response;
};

// holding 0..99 (0..9 = 1..10) and 200..209; input 0..9 (0..4 = 100..500);
// coils 0..31 (0..7 = 1,0,1,1,0,0,1,0); discrete inputs 0..15 (0..3 = 0,1,0,1).
class RequestHandlerTest : public ::testing::Test {
  protected:
    RequestHandlerTest() : unit_(tables_.add_unit(1)) {
        unit_.map(RegisterKind::holding, 0, 100);
        unit_.map(RegisterKind::holding, 200, 10);
        unit_.set_registers(RegisterKind::holding, 0, Regs{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        unit_.map(RegisterKind::input, 0, 10);
        unit_.set_registers(RegisterKind::input, 0, Regs{100, 200, 300, 400, 500});
        unit_.map(RegisterKind::coil, 0, 32);
        unit_.set_bits(RegisterKind::coil, 0,
                       Bits{true, false, true, true, false, false, true, false});
        unit_.map(RegisterKind::discrete, 0, 16);
        unit_.set_bits(RegisterKind::discrete, 0, Bits{false, true, false, true});
    }

    std::string handle(const std::string& request, const RequestLimits& limits = {}) {
        return to_hex(handle_request(unit_, hex(request), limits));
    }

    void run(const std::vector<Case>& cases) {
        for (const Case& c : cases) {
            const auto req = hex(c.request);
            const auto rsp = handle_request(unit_, req);
            EXPECT_EQ(to_hex(rsp), c.response) << c.what;
            if (!rsp.empty() && (rsp[0] & 0x80) == 0) {
                EXPECT_FALSE(modbus::check_response(req, rsp)) << c.what << ": master rejects it";
            }
        }
    }

    Regs holding(std::uint16_t address, std::uint16_t count) {
        return *unit_.registers(RegisterKind::holding, address, count);
    }

    DataTables tables_;
    UnitTables& unit_;
};

TEST_F(RequestHandlerTest, ReadCoilsAndDiscreteInputs) {
    run({
        {"8 coils", "01 00 00 00 08", "01 01 4D"},
        {"10 coils, padded", "01 00 00 00 0A", "01 02 4D 00"},
        {"from an odd address", "01 00 02 00 03", "01 01 03"},
        {"last mapped coil", "01 00 1F 00 01", "01 01 00"},
        {"quantity 0", "01 00 00 00 00", "81 03"},
        {"quantity 2001", "01 00 00 07 D1", "81 03"},
        {"quantity 2000, not mapped", "01 00 00 07 D0", "81 02"},
        {"runs past the mapped end", "01 00 1F 00 02", "81 02"},
        {"past 65535", "01 FF FF 00 02", "81 02"},
        {"short request", "01 00 00 00", "81 03"},
        {"long request", "01 00 00 00 01 00", "81 03"},
        {"discrete inputs", "02 00 00 00 04", "02 01 0A"},
        {"discrete not mapped", "02 00 10 00 01", "82 02"},
    });
}

TEST_F(RequestHandlerTest, ReadHoldingAndInputRegisters) {
    run({
        {"3 holding", "03 00 00 00 03", "03 06 00 01 00 02 00 03"},
        {"last of a range", "03 00 63 00 01", "03 02 00 00"},
        {"across a gap", "03 00 63 00 02", "83 02"},
        {"second range", "03 00 C8 00 02", "03 04 00 00 00 00"},
        {"quantity 0", "03 00 00 00 00", "83 03"},
        {"quantity 126", "03 00 00 00 7E", "83 03"},
        {"quantity 125, partly unmapped", "03 00 00 00 7D", "83 02"},
        {"bad quantity wins over bad address", "03 01 00 00 7E", "83 03"},
        {"input registers", "04 00 00 00 02", "04 04 00 64 00 C8"},
        {"input not mapped", "04 00 0A 00 01", "84 02"},
        {"input short", "04 00", "84 03"},
    });
}

TEST_F(RequestHandlerTest, WriteSingleCoilAndRegister) {
    run({
        {"coil on", "05 00 01 FF 00", "05 00 01 FF 00"},
        {"coil off", "05 00 00 00 00", "05 00 00 00 00"},
        {"coil value neither on nor off", "05 00 01 12 34", "85 03"},
        {"coil not mapped", "05 00 20 FF 00", "85 02"},
        {"register", "06 00 05 AB CD", "06 00 05 AB CD"},
        {"register not mapped", "06 00 64 00 01", "86 02"},
        {"register short", "06 00 05 AB", "86 03"},
    });
    EXPECT_EQ(*unit_.bits(RegisterKind::coil, 0, 2), (Bits{false, true}));
    EXPECT_EQ(holding(5, 1), (Regs{0xABCD}));
}

TEST_F(RequestHandlerTest, WriteMultipleCoilsAndRegisters) {
    run({
        // the specification's example: 10 coils from 0x13 = CD 01
        {"coils", "0F 00 13 00 0A 02 CD 01", "0F 00 13 00 0A"},
        {"byte count too small", "0F 00 00 00 0A 01 CD", "8F 03"},
        {"byte count and length disagree", "0F 00 00 00 08 01", "8F 03"},
        {"quantity 1969", "0F 00 00 07 B1 F7", "8F 03"},
        {"coils not mapped", "0F 00 1F 00 02 01 03", "8F 02"},
        {"registers", "10 00 01 00 02 04 00 0A 01 02", "10 00 01 00 02"},
        {"quantity 124", "10 00 00 00 7C F8", "90 03"},
        {"byte count mismatch", "10 00 01 00 02 02 00 0A", "90 03"},
        {"registers across a gap", "10 00 63 00 02 04 11 11 22 22", "90 02"},
        {"registers short", "10 00 01 00", "90 03"},
    });
    EXPECT_EQ(*unit_.bits(RegisterKind::coil, 0x13, 10),
              (Bits{true, false, true, true, false, false, true, true, true, false}));
    EXPECT_EQ(holding(1, 2), (Regs{0x000A, 0x0102}));
    EXPECT_EQ(holding(99, 1), (Regs{0})) << "a refused write must not change anything";
}

TEST_F(RequestHandlerTest, MaskWriteRegister) {
    unit_.set_registers(RegisterKind::holding, 4, Regs{0x0012});
    // the specification's example: 0x12 AND 0xF2 OR (0x25 AND NOT 0xF2) = 0x17
    run({
        {"spec example", "16 00 04 00 F2 00 25", "16 00 04 00 F2 00 25"},
        {"not mapped", "16 00 64 FF FF 00 00", "96 02"},
        {"short", "16 00 04 00 F2 00", "96 03"},
    });
    EXPECT_EQ(holding(4, 1), (Regs{0x0017}));
    // AND all ones keeps, OR with AND zero replaces
    EXPECT_EQ(handle("16 00 04 FF FF 12 34"), "16 00 04 FF FF 12 34");
    EXPECT_EQ(holding(4, 1), (Regs{0x0017}));
    EXPECT_EQ(handle("16 00 04 00 00 12 34"), "16 00 04 00 00 12 34");
    EXPECT_EQ(holding(4, 1), (Regs{0x1234}));
}

TEST_F(RequestHandlerTest, ReadWriteMultipleRegistersWritesFirst) {
    run({
        {"overlapping ranges", "17 00 00 00 02 00 00 00 01 02 12 34", "17 04 12 34 00 02"},
        {"spec example layout", "17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF",
         "17 0C 00 04 00 05 00 06 00 07 00 08 00 09"},
        {"read range not mapped", "17 00 64 00 01 00 02 00 01 02 BE EF", "97 02"},
        {"write range not mapped", "17 00 00 00 01 00 64 00 01 02 BE EF", "97 02"},
        {"read quantity 0", "17 00 00 00 00 00 02 00 01 02 BE EF", "97 03"},
        {"read quantity 126", "17 00 00 00 7E 00 02 00 01 02 BE EF", "97 03"},
        {"write quantity 0", "17 00 00 00 01 00 02 00 00 00", "97 03"},
        {"byte count mismatch", "17 00 00 00 01 00 02 00 01 04 BE EF", "97 03"},
        {"short", "17 00 00 00 01 00 02 00 01", "97 03"},
    });
    EXPECT_EQ(holding(0, 3), (Regs{0x1234, 2, 3})) << "refused FC23 wrote something";
    EXPECT_EQ(holding(14, 3), (Regs{0xFF, 0xFF, 0xFF}));
    // 121 registers written is the limit, 122 is not
    unit_.map(RegisterKind::holding, 0, 200);
    std::vector<std::uint16_t> many(121, 0x0101);
    auto req = modbus::make_read_write_registers(0, 1, 0, many);
    ASSERT_TRUE(req);
    EXPECT_EQ(to_hex(handle_request(unit_, *req)), "17 02 01 01");
    auto too_many = *req;
    too_many[8] = 0x7A;
    too_many[9] = 0xF4;
    too_many.push_back(0x01);
    too_many.push_back(0x01);
    EXPECT_EQ(to_hex(handle_request(unit_, too_many)), "97 03");
}

TEST_F(RequestHandlerTest, DiagnosticsEchoAndReportServerId) {
    run({
        {"echo", "08 00 00 A5 37", "08 00 00 A5 37"},
        {"long echo", "08 00 00 01 02 03 04 05 06", "08 00 00 01 02 03 04 05 06"},
        {"other sub-function", "08 00 01 00 00", "88 01"},
        {"too short", "08 00", "88 03"},
        {"report server id", "11", "11 09 01 FF 72 65 67 70 6F 6C 6C"},
        {"report server id with data", "11 00", "91 03"},
    });
}

TEST_F(RequestHandlerTest, UnknownFunctionsAreIllegal) {
    run({
        {"FC7", "07", "87 01"},
        {"FC20 file record", "14 07 06 00 04 00 01 00 02", "94 01"},
        {"FC0", "00", "80 01"},
        {"FC127", "7F 00", "FF 01"},
        {"a response code is not answered", "83 02", ""},
        {"nothing", "", ""},
    });
}

TEST_F(RequestHandlerTest, ReadLimitBelowTheSpecification) {
    RequestLimits growatt{45};
    EXPECT_EQ(handle("03 00 00 00 2D", growatt).substr(0, 5), "03 5A");
    EXPECT_EQ(handle("03 00 00 00 2E", growatt), "83 03");
    EXPECT_EQ(handle("04 00 00 00 2E", growatt), "84 03");
    EXPECT_EQ(handle("17 00 00 00 2E 00 00 00 01 02 00 01", growatt), "97 03");
    // a limit above the specification's is the specification's
    EXPECT_EQ(handle("03 00 00 00 7E", RequestLimits{1000}), "83 03");
}

TEST(RequestHandlerOverlaid, BitFunctionsReachTheRegisters) {
    UnitTables unit(TableLayout::overlaid);
    unit.map(RegisterKind::holding, 0, 10);
    unit.set_registers(RegisterKind::holding, 0, Regs{0x0005});
    EXPECT_EQ(to_hex(handle_request(unit, hex("01 00 00 00 03"))), "01 01 05");
    EXPECT_EQ(to_hex(handle_request(unit, hex("02 00 00 00 03"))), "02 01 05");
    EXPECT_EQ(to_hex(handle_request(unit, hex("05 00 11 FF 00"))), "05 00 11 FF 00");
    EXPECT_EQ(to_hex(handle_request(unit, hex("03 00 00 00 02"))), "03 04 00 05 00 02");
    EXPECT_EQ(to_hex(handle_request(unit, hex("04 00 01 00 01"))), "04 02 00 02");
    EXPECT_EQ(to_hex(handle_request(unit, hex("06 00 02 80 01"))), "06 00 02 80 01");
    EXPECT_EQ(to_hex(handle_request(unit, hex("01 00 20 00 10"))), "01 02 01 80");
    EXPECT_EQ(to_hex(handle_request(unit, hex("0F 00 30 00 10 02 FF FF"))), "0F 00 30 00 10");
    EXPECT_EQ(*unit.registers(RegisterKind::input, 3, 1), (Regs{0xFFFF}));
    EXPECT_EQ(to_hex(handle_request(unit, hex("01 00 9F 00 01"))), "01 01 00");
    EXPECT_EQ(to_hex(handle_request(unit, hex("01 00 9F 00 02"))), "81 02");
    EXPECT_EQ(to_hex(handle_request(unit, hex("05 00 A0 FF 00"))), "85 02");
}

}  // namespace
}  // namespace regpoll::server
