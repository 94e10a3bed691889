// `regpoll history` as a user runs it: the binary against a history file written by the
// real sink, in CSV and JSON lines, with the time, device and point filters.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "history_test_support.hpp"
#include "peer_process.hpp"
#include "sink/history_writer.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using testing::SampleMaker;
using testing::TempDir;

constexpr std::int64_t t10 = 1'795'168'800'000;  // 2026-11-20T10:00:00Z

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class HistoryCommandTest : public ::testing::Test {
  protected:
    void SetUp() override {
        HistoryConfig config;
        config.path = db_;
        HistoryWriter writer(config);
        std::vector<poll::Sample> s{
            make_.make("inverter", "ac_power", t10, 1500.5, "W"),
            make_.make("inverter", "status", t10, std::string("derating, \"hot\""), ""),
            make_.make("meter", "energy", t10 + 1, std::int64_t{123456789}, "Wh"),
            make_.make("inverter", "ac_power", t10 + 60'000, codec::Value(), "W",
                       poll::Quality::unavailable),
            make_.make("meter", "energy", t10 + 3'600'000, std::int64_t{123456999}, "Wh"),
            make_.make("meter", "voltage", t10 + 3'600'000, 231.25, "V"),
            make_.make("meter", "relay", t10 + 3'600'000, true, ""),
        };
        writer.on_samples(s);
    }

    regpoll::testing::CommandResult history(std::vector<std::string> args) {
        args.insert(args.begin(), {REGPOLL_BINARY, "history", "--db", db_});
        return regpoll::testing::run_command(args, 20s);
    }

    TempDir dir_;
    std::string db_ = dir_.file("site.db");
    SampleMaker make_;
};

TEST_F(HistoryCommandTest, CsvWithAHeaderInTimeOrder) {
    auto r = history({});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "ts,device,point,value,text,unit\n"
              "1795168800000,inverter,ac_power,1500.5,,W\n"
              "1795168800000,inverter,status,,\"derating, \"\"hot\"\"\",\n"
              "1795168800001,meter,energy,123456789,,Wh\n"
              "1795168860000,inverter,ac_power,,,W\n"
              "1795172400000,meter,energy,123456999,,Wh\n"
              "1795172400000,meter,relay,1,,\n"
              "1795172400000,meter,voltage,231.25,,V\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(HistoryCommandTest, JsonLinesWithTypedValues) {
    auto r = history({"--format", "json", "--device", "inverter"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "{\"ts\":1795168800000,\"device\":\"inverter\",\"point\":\"ac_power\",\"value\":1500."
              "5,\"text\":null,"
              "\"unit\":\"W\"}\n"
              "{\"ts\":1795168800000,\"device\":\"inverter\",\"point\":\"status\",\"value\":null,"
              "\"text\":\"derating, \\\"hot\\\"\",\"unit\":\"\"}\n"
              "{\"ts\":1795168860000,\"device\":\"inverter\",\"point\":\"ac_power\",\"value\":null,"
              "\"text\":null,"
              "\"unit\":\"W\"}\n");
}

TEST_F(HistoryCommandTest, SinceAndUntilInIso8601) {
    auto r = history({"--since", "2026-11-20T10:00:00.001Z", "--until", "2026-11-20T11:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "ts,device,point,value,text,unit\n"
              "1795168800001,meter,energy,123456789,,Wh\n"
              "1795168860000,inverter,ac_power,,,W\n");
    // --until is exclusive, --since inclusive; an offset is honoured.
    r = history({"--since", "2026-11-20T12:00+01:00", "--until", "2026-11-20T11:00:00.001Z",
                 "--point", "energy"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ts,device,point,value,text,unit\n1795172400000,meter,energy,123456999,,Wh\n");
}

TEST_F(HistoryCommandTest, SinceADurationBackFromNow) {
    {
        HistoryConfig config;
        config.path = db_;
        HistoryWriter writer(config);
        const auto now = now_ms();
        std::vector<poll::Sample> s{make_.make("recent", "x", now - 2 * 3'600'000, 1.0),
                                    make_.make("recent", "x", now - 30 * 60'000, 2.0),
                                    make_.make("recent", "x", now - 1000, 3.0)};
        writer.on_samples(s);
    }
    auto r = history({"--since", "1h", "--format", "json", "--device", "recent"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<double> values;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        values.push_back(nlohmann::json::parse(line)["value"]);
    EXPECT_EQ(values, (std::vector<double>{2.0, 3.0}));
    r = history({"--since", "7d", "--until", "90m", "--device", "recent"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto body = r.out.substr(r.out.find('\n') + 1);
    EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 1) << r.out;  // the row of 2 h ago only
    EXPECT_NE(body.find(",recent,x,1,,\n"), std::string::npos) << r.out;
}

TEST_F(HistoryCommandTest, DeviceAndPointGlobsRepeatable) {
    auto r = history({"--device", "met*", "--point", "energy", "--point", "v?ltage"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "ts,device,point,value,text,unit\n"
              "1795168800001,meter,energy,123456789,,Wh\n"
              "1795172400000,meter,energy,123456999,,Wh\n"
              "1795172400000,meter,voltage,231.25,,V\n");
    r = history({"--device", "nobody"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ts,device,point,value,text,unit\n");
}

TEST_F(HistoryCommandTest, IsoTimestampsOnRequest) {
    auto r = history({"--time", "iso", "--point", "voltage"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(
        r.out,
        "ts,device,point,value,text,unit\n2026-11-20T11:00:00.000Z,meter,voltage,231.25,,V\n");
    r = history({"--time", "iso", "--point", "voltage", "--format", "json"});
    EXPECT_EQ(nlohmann::json::parse(r.out)["ts"], "2026-11-20T11:00:00.000Z");
}

TEST_F(HistoryCommandTest, MistakesExitWithTwoAndSayWhy) {
    auto missing = regpoll::testing::run_command(
        {REGPOLL_BINARY, "history", "--db", dir_.file("nope.db")}, 20s);
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_EQ(missing.err, "regpoll: " + dir_.file("nope.db") + ": no such file\n");
    EXPECT_EQ(missing.out, "");

    std::ofstream(dir_.file("notes.txt"))
        << "not a database, just text that is long enough to be a header......";
    auto text = regpoll::testing::run_command(
        {REGPOLL_BINARY, "history", "--db", dir_.file("notes.txt")}, 20s);
    EXPECT_EQ(text.exit_code, 2);
    EXPECT_EQ(text.err, "regpoll: " + dir_.file("notes.txt") + ": not an SQLite database\n");

    auto bad_since = history({"--since", "yesterday"});
    EXPECT_EQ(bad_since.exit_code, 2);
    EXPECT_NE(bad_since.err.find("--since: \"yesterday\" is not a time"), std::string::npos)
        << bad_since.err;

    auto backwards = history({"--since", "2026-11-21", "--until", "2026-11-20"});
    EXPECT_EQ(backwards.exit_code, 2);
    EXPECT_EQ(backwards.err,
              "regpoll: --since (2026-11-21T00:00:00.000Z) is after --until "
              "(2026-11-20T00:00:00.000Z)\n");

    auto format = history({"--format", "xml"});
    EXPECT_EQ(format.exit_code, 2);
    EXPECT_EQ(format.err, "regpoll: --format \"xml\" is not one of csv, json\n");

    auto no_db = regpoll::testing::run_command({REGPOLL_BINARY, "history"}, 20s);
    EXPECT_EQ(no_db.exit_code, 2);
    EXPECT_NE(no_db.err.find("--db is required"), std::string::npos) << no_db.err;
}

}  // namespace
}  // namespace regpoll::sink
