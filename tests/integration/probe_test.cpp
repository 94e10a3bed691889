// `regpoll probe` against Debian's python3-pymodbus server holding known registers
// (data/probe_values.json): every reading side by side, the right one plain and the
// implausible ones with their hints, in text and JSON.
#include <gtest/gtest.h>

#include <cmath>

#include "regpoll_cli.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;

class ProbeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        peer_ = new PeerProcess(start_modbus_peer(
            {"--transport", "tcp", "--units", "1", "--values",
             source_dir() + "/tests/integration/data/probe_values.json"}));
        uri_ = "tcp://127.0.0.1:" + std::to_string(peer_->ready_port());
    }
    static void TearDownTestSuite() {
        delete peer_;
        peer_ = nullptr;
    }
    static nlohmann::json probe_json(std::vector<std::string> args) {
        args.insert(args.begin(), {"probe", uri_});
        args.push_back("--json");
        return json_of(regpoll(args));
    }
    static const nlohmann::json& reading(const nlohmann::json& j, int address, const std::string& type,
                                         const std::string& order = "") {
        for (const auto& r : j["readings"]) {
            if (r["address"] == address && r["type"] == type && r.value("order", "") == order) return r;
        }
        static const nlohmann::json none;
        ADD_FAILURE() << "no " << type << " " << order << " at " << address << " in " << j.dump();
        return none;
    }
    static PeerProcess* peer_;
    static std::string uri_;
};

PeerProcess* ProbeTest::peer_ = nullptr;
std::string ProbeTest::uri_;

TEST_F(ProbeTest, JsonHasEveryReadingWithTheWordSwappedFloatPlainAndTheRestHinted) {
    const auto j = probe_json({"--address", "10", "--count", "2"});
    EXPECT_EQ(j["unit"], 1);
    EXPECT_EQ(j["register"], "holding");
    EXPECT_EQ(j["address"], 10);
    EXPECT_EQ(j["raw"], nlohmann::json::parse("[8192, 18417]"));
    // 2 × (uint16, int16, bcd) + 3 types × 4 orders + bcd32 × 2
    EXPECT_EQ(j["readings"].size(), 6U + 14U);
    EXPECT_EQ(reading(j, 10, "float32", "CDAB")["value"], 123456.0);
    EXPECT_FALSE(reading(j, 10, "float32", "CDAB").contains("hint"));
    EXPECT_EQ(reading(j, 10, "float32", "ABCD")["hint"], "tiny");
    EXPECT_EQ(reading(j, 10, "uint16")["value"], 8192);
    EXPECT_EQ(reading(j, 11, "uint16")["value"], 18417);
    EXPECT_EQ(reading(j, 10, "uint32", "CDAB")["value"], 0x47F12000);
}

TEST_F(ProbeTest, Float64NanAllOnesAndBcd) {
    const auto wide = probe_json({"-a", "20", "-c", "4"});
    EXPECT_EQ(reading(wide, 20, "float64", "ABCDEFGH")["value"], 1.5);
    EXPECT_FALSE(reading(wide, 20, "float64", "ABCDEFGH").contains("hint"));
    EXPECT_EQ(reading(wide, 20, "float64", "HGFEDCBA")["hint"], "denormal");
    EXPECT_EQ(reading(wide, 20, "uint64", "ABCDEFGH")["value"], 0x3FF8000000000000ULL);

    const auto ones = probe_json({"-a", "30", "-c", "2"});
    EXPECT_EQ(reading(ones, 30, "uint32", "ABCD")["value"], 4294967295ULL);
    EXPECT_EQ(reading(ones, 30, "uint32", "ABCD")["hint"], "all 0xFFFF (often: not available)");
    EXPECT_EQ(reading(ones, 31, "int16")["value"], -1);

    const auto nan = probe_json({"-a", "40", "-c", "2"});
    EXPECT_TRUE(reading(nan, 40, "float32", "ABCD")["value"].is_null());  // JSON has no NaN
    EXPECT_EQ(reading(nan, 40, "float32", "ABCD")["hint"], "NaN");

    const auto bcd = probe_json({"-a", "50", "-c", "2"});
    EXPECT_EQ(reading(bcd, 50, "bcd")["value"], 1234);
    EXPECT_TRUE(reading(bcd, 51, "bcd")["value"].is_null());
    EXPECT_EQ(reading(bcd, 51, "bcd")["hint"], "not BCD");
}

TEST_F(ProbeTest, InputRegistersAndText) {
    const auto j = probe_json({"--register", "input", "-a", "0", "-c", "3"});
    EXPECT_EQ(j["register"], "input");
    EXPECT_EQ(j["text"], "AB123");
}

TEST_F(ProbeTest, TextTableShowsEveryOrderSideBySide) {
    auto r = regpoll({"probe", uri_, "-a", "10", "-c", "4"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("unit 1, holding registers 10-13"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0x47F1"), std::string::npos) << r.out;
    // The 32-bit header names the four orders; the float32 row of address 10 has 123456
    // in the CDAB column (the second) and a hinted value in the ABCD column.
    const auto header = r.out.find("32-bit");
    ASSERT_NE(header, std::string::npos) << r.out;
    const auto header_end = r.out.find('\n', header);
    const std::string header_line = r.out.substr(header, header_end - header);
    EXPECT_LT(header_line.find("ABCD"), header_line.find("CDAB"));
    EXPECT_LT(header_line.find("BADC"), header_line.find("DCBA"));
    const auto row = r.out.find("float32", header);
    ASSERT_NE(row, std::string::npos);
    const auto row_start = r.out.rfind('\n', row) + 1;
    const std::string row_line = r.out.substr(row_start, r.out.find('\n', row) - row_start);
    // The first float32 row after the header is address 10's (the address shows on its
    // first row, uint32, only).
    EXPECT_EQ(row_line.rfind("        float32", 0), 0U) << row_line;
    EXPECT_NE(row_line.find("(tiny)"), std::string::npos) << row_line;
    EXPECT_EQ(row_line.find("123456"), header_line.find("CDAB"))
        << "123456 is not under CDAB:\n" << header_line << "\n" << row_line;
    EXPECT_NE(r.out.find("64-bit"), std::string::npos);
    EXPECT_NE(r.out.find("ABCDEFGH"), std::string::npos);
    EXPECT_NE(r.out.find("text    \""), std::string::npos);
}

TEST_F(ProbeTest, BadInputAndDeviceErrorsSayWhat) {
    auto bits = regpoll({"probe", uri_, "--register", "coil", "-a", "0"});
    EXPECT_EQ(bits.exit_code, 2);
    EXPECT_NE(bits.err.find("--register coil: probe reads registers (holding or input), not bits"),
              std::string::npos) << bits.err;
    auto count = regpoll({"probe", uri_, "-a", "0", "-c", "126"});
    EXPECT_EQ(count.exit_code, 2);
    EXPECT_NE(count.err.find("--count 126 is out of range (1-125 registers)"), std::string::npos) << count.err;
    auto past = regpoll({"probe", uri_, "-a", "65535", "-c", "2"});
    EXPECT_EQ(past.exit_code, 2);
    EXPECT_NE(past.err.find("runs past address 65535"), std::string::npos) << past.err;
    auto missing = regpoll({"probe", uri_, "-a", "5000", "-c", "2"});  // the peer holds 1000
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("ILLEGAL DATA ADDRESS"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace regpoll::testing
