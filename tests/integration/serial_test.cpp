// `regpoll read / write / scan` on serial lines, as a user runs them: a socat pty pair with
// Debian's python3-pymodbus serial server (RTU and ASCII framers) on the other end, and
// for the line faults (split frames, adapter echo, bad CRC, wrong unit) a tamperer
// between the two that spoils pymodbus' own answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "regpoll_cli.hpp"
#include "socat.hpp"

namespace regpoll::testing {
namespace {

using namespace std::chrono_literals;

std::string values_file() { return cli_values_file(); }

// pymodbus serving units 1 and 3 with the CLI test values on end B; regpoll on end A.
class SerialCli : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        framing_ = GetParam();
        peer_.emplace(start_modbus_peer({"--transport", framing_, "--device", line_.b(), "--units",
                                         "1,3", "--values", values_file(), "--broadcast"}));
        uri_ = framing_ + "://" + line_.a();
    }
    std::string uri(const std::string& query) const { return uri_ + "?" + query; }

    PtyPair line_;
    std::string framing_;
    std::optional<PeerProcess> peer_;
    std::string uri_;
};

TEST_P(SerialCli, ReadsWithTheDefaultLineSettings) {
    // 19200 baud, even parity: a pty has no parity, which must not stop regpoll.
    auto r = regpoll({"read", uri_, "-a", "100", "-T", "int16", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{\"unit\":1,\"register\":\"holding\",\"address\":100,\"type\":\"int16\","
                     "\"values\":[-1234],\"raw\":[64302]}\n");
    EXPECT_EQ(r.err, "");
}

TEST_P(SerialCli, ReadsTypesBitsAndLargeCounts) {
    const std::string u = uri("baud=9600&parity=N&stop=1");
    EXPECT_EQ(json_of(regpoll({"read", u, "-a", "130", "-T", "float32", "-o", "CDAB", "-j"}))["values"][0],
              123456.0);
    EXPECT_EQ(json_of(regpoll({"read", u, "-a", "150", "-T", "string", "-l", "3", "-j"}))["values"][0], "AB12");
    EXPECT_EQ(json_of(regpoll({"read", u, "-r", "coil", "-a", "0", "-c", "4", "-j"}))["raw"],
              nlohmann::json::parse("[1,0,1,1]"));
    EXPECT_EQ(json_of(regpoll({"read", u, "-r", "input", "-a", "2", "-T", "int16", "-j"}))["values"][0], -1);
    auto big = json_of(regpoll({"read", u, "-a", "0", "-c", "300", "-j"}));  // three requests
    ASSERT_EQ(big["raw"].size(), 300U);
    EXPECT_EQ(big["raw"][100], 64302);
}

TEST_P(SerialCli, WritesAndReadsBack) {
    auto w = regpoll({"write", uri_, "-a", "200", "-T", "float32", "--", "-1.5"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    EXPECT_EQ(w.out, "wrote 2 registers at 200 (FC16)\n");
    EXPECT_EQ(json_of(regpoll({"read", uri_, "-a", "200", "-T", "float32", "-j"}))["values"][0], -1.5);
    auto single = regpoll({"write", uri_, "-u", "3", "-a", "210", "-T", "int16", "-7"});
    ASSERT_EQ(single.exit_code, 0) << single.err;
    EXPECT_EQ(single.out, "wrote 1 register at 210 (FC6)\n");
    EXPECT_EQ(json_of(regpoll({"read", uri_, "-u", "3", "-a", "210", "-T", "int16", "-j"}))["values"][0], -7);
    auto coils = regpoll({"write", uri_, "-r", "coil", "-a", "20", "1", "0", "1"});
    ASSERT_EQ(coils.exit_code, 0) << coils.err;
    EXPECT_EQ(json_of(regpoll({"read", uri_, "-r", "coil", "-a", "20", "-c", "3", "-j"}))["raw"],
              nlohmann::json::parse("[1,0,1]"));
}

TEST_P(SerialCli, BroadcastWriteReachesEveryUnitWithoutAReply) {
    auto w = regpoll({"write", uri("turnaround=200ms"), "-u", "0", "-a", "220", "4321"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    EXPECT_EQ(w.out, "wrote 1 register at 220 (FC6)\n");
    for (const char* unit : {"1", "3"}) {
        EXPECT_EQ(json_of(regpoll({"read", uri_, "-u", unit, "-a", "220", "-j"}))["raw"][0], 4321) << unit;
    }
}

TEST_P(SerialCli, ScanFindsTheUnitsAndIdentifiesThem) {
    auto r = regpoll({"scan", uri_, "--units", "1-4", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["units"].size(), 2U) << r.out;
    EXPECT_EQ(j["units"][0]["unit"], 1);
    EXPECT_EQ(j["units"][0]["vendor"], "regpoll-test");
    EXPECT_EQ(j["units"][0]["product_code"], "PEER");
    EXPECT_EQ(j["units"][1]["unit"], 3);
    EXPECT_EQ(j["units"][1]["revision"], "3.0.0");
}

TEST_P(SerialCli, ExceptionReplyAndSilence) {
    auto e = regpoll({"read", uri_, "-a", "999", "-c", "2"});  // the table ends at 1000
    EXPECT_EQ(e.exit_code, 1);
    EXPECT_EQ(e.err, "regpoll: exception ILLEGAL DATA ADDRESS (2)\n");
    auto s = regpoll({"read", uri_, "-u", "2", "-a", "0", "-t", "300ms"});  // nobody is unit 2
    EXPECT_EQ(s.exit_code, 1);
    EXPECT_EQ(s.err, "regpoll: timeout after 300 ms\n");
}

TEST_P(SerialCli, BadQueryKeysAreUsageErrors) {
    auto r = regpoll({"read", uri("baud=960O"), "-a", "0"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "regpoll: " + uri("baud=960O") + ": baud \"960O\" is not a number\n");
    auto k = regpoll({"read", uri("speed=9600"), "-a", "0"});
    EXPECT_EQ(k.exit_code, 2);
    EXPECT_NE(k.err.find("unknown key \"speed\""), std::string::npos) << k.err;
}

INSTANTIATE_TEST_SUITE_P(Framings, SerialCli, ::testing::Values("rtu", "ascii"));

TEST(SerialCliDebug, DumpsRtuAndAsciiFrames) {
    PtyPair line;
    auto peer = start_modbus_peer({"--transport", "rtu", "--device", line.b(), "--values", values_file()});
    auto r = regpoll({"read", "rtu://" + line.a() + "?parity=N", "-a", "1", "--debug"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("Tx [01] 03 00 01 00 01 [D5 CA]\nRx [01] 03 02 00 02 [39 85]\n"), std::string::npos)
        << r.err;
}

// regpoll <-> line <-> tamperer <-> device line <-> pymodbus
class FaultyLine : public ::testing::Test {
protected:
    void start(std::vector<std::string> tamper, const char* framing = "rtu", const char* units = "1") {
        peer_.emplace(start_modbus_peer({"--transport", framing, "--device", device_line_.b(),
                                         "--units", units, "--values", values_file()}));
        std::vector<std::string> argv{peer_python(), "-I", source_dir() + "/tests/integration/peer/line_tamperer.py",
                                      "--master", line_.b(), "--device", device_line_.a(),
                                      "--framing", framing};
        argv.insert(argv.end(), tamper.begin(), tamper.end());
        tamperer_.emplace(argv, "READY", 10s, (line_.dir() / "tamperer.log").string());
        uri_ = std::string(framing) + "://" + line_.a() + "?parity=N";
    }
    PtyPair line_, device_line_;
    std::optional<PeerProcess> peer_, tamperer_;
    std::string uri_;
};

TEST_F(FaultyLine, AnswersSplitAtOddPlacesAreReassembled) {
    start({"--split"});
    // gap=1s: the pieces are 3 ms apart, but a loaded machine may stall the tamperer
    auto j = json_of(regpoll({"read", uri_ + "&gap=1s", "-a", "0", "-c", "200", "-j"}));
    ASSERT_EQ(j["raw"].size(), 200U);
    EXPECT_EQ(j["raw"][0], 1);
    EXPECT_EQ(j["raw"][100], 64302);
}

TEST_F(FaultyLine, AsciiAnswersSplitAtOddPlaces) {
    start({"--split"}, "ascii");
    auto j = json_of(regpoll({"read", uri_, "-a", "110", "-T", "float32", "-j"}));
    EXPECT_EQ(j["values"][0], 123456.0);
}

TEST_F(FaultyLine, AdapterEchoIsDiscardedWithEchoOn) {
    start({"--echo"});
    auto w = regpoll({"write", uri_ + "&echo=1", "-a", "230", "77"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    EXPECT_EQ(json_of(regpoll({"read", uri_ + "&echo=1", "-a", "230", "-j"}))["raw"][0], 77);
    // Without echo=1 the echo is taken for the answer, which cannot be framed as one.
    auto r = regpoll({"read", uri_, "-a", "230", "-c", "2"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("the adapter echoes what it sends (add echo=1)"), std::string::npos) << r.err;
}

TEST_F(FaultyLine, BadCrcIsAnErrorAndTheNextReadWorks) {
    start({"--fault", "crc"});
    auto bad = regpoll({"read", uri_, "-a", "0"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.err, "regpoll: bad CRC\n");
    EXPECT_EQ(json_of(regpoll({"read", uri_, "-a", "0", "-j"}))["raw"][0], 1);
}

TEST_F(FaultyLine, AnswerFromTheWrongUnitIsAnError) {
    start({"--fault", "unit"});
    auto bad = regpoll({"read", uri_, "-a", "0"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.err, "regpoll: response from the wrong unit\n");
    EXPECT_EQ(json_of(regpoll({"read", uri_, "-a", "0", "-j"}))["raw"][0], 1);
}

// From libmodbus's test suite: a device that does not answer identification and flushes its
// input swallows the probe that follows. Unit 3 is there; scan must not call it absent.
TEST_F(FaultyLine, ScanAsksAgainAfterAnIdentificationTimeout) {
    start({"--deaf-after-identification"}, "rtu", "1,3");
    auto r = regpoll({"scan", uri_, "--units", "1,3", "--timeout", "300ms", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["units"].size(), 2U) << r.out;
    EXPECT_EQ(j["units"][0]["unit"], 1);
    EXPECT_EQ(j["units"][0]["identification"], "timed out");
    EXPECT_EQ(j["units"][1]["unit"], 3);
    EXPECT_EQ(j["units"][1]["answer"], "ok");
}

TEST_F(FaultyLine, ScanSaysWhenIdentificationTimedOut) {
    start({"--deaf-after-identification"}, "rtu", "1,3");
    auto r = regpoll({"scan", uri_, "--units", "1,3", "--timeout", "300ms"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "unit 1: present (ok), identification (FC43) timed out\n"
                     "unit 3: present (ok), identification (FC43) timed out\n");
}

}  // namespace
}  // namespace regpoll::testing
