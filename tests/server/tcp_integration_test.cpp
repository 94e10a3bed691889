// regpoll-testserver on TCP checked by masters we did not write: mbpoll (libmodbus) and
// Debian's python3-pymodbus 3.0.0 client. Every test starts its own server on a free
// loopback port.
#include "integration_support.hpp"
#include "modbus/mbap.hpp"
#include "test_io.hpp"

namespace regpoll::testing {
namespace {

using namespace server_support;

class ServerTcpTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server_.emplace(
            start_server({"--units", "1,2", "--values", data_file("two_units.json"), "--object",
                          "0x80=extended object", "--vendor", "regpoll-test"}));
        port_ = server_->ready_port();
    }
    std::optional<PeerProcess> server_;
    std::uint16_t port_ = 0;
};

TEST_F(ServerTcpTest, MbpollReadsEveryTable) {
    auto holding = mbpoll_tcp(port_, {"-a", "1", "-t", "4", "-r", "0", "-c", "4"});
    ASSERT_EQ(holding.exit_code, 0) << holding.err << holding.out;
    EXPECT_EQ(mbpoll_values(holding.out), (std::vector<std::string>{"1", "2", "3", "4"}));
    auto signed_and_hex = mbpoll_tcp(port_, {"-a", "1", "-t", "4:hex", "-r", "100", "-c", "2"});
    EXPECT_EQ(mbpoll_values(signed_and_hex.out), (std::vector<std::string>{"0xFB2E", "0x47F1"}));
    auto input = mbpoll_tcp(port_, {"-a", "1", "-t", "3", "-r", "0", "-c", "3"});
    EXPECT_EQ(mbpoll_values(input.out), (std::vector<std::string>{"100", "200", "300"}));
    auto coils = mbpoll_tcp(port_, {"-a", "1", "-t", "0", "-r", "0", "-c", "8"});
    EXPECT_EQ(mbpoll_values(coils.out),
              (std::vector<std::string>{"1", "0", "1", "1", "0", "0", "1", "0"}));
    auto discrete = mbpoll_tcp(port_, {"-a", "1", "-t", "1", "-r", "0", "-c", "4"});
    EXPECT_EQ(mbpoll_values(discrete.out), (std::vector<std::string>{"0", "1", "0", "1"}));
    auto unit2 = mbpoll_tcp(port_, {"-a", "2", "-t", "4", "-r", "0", "-c", "2"});
    EXPECT_EQ(mbpoll_values(unit2.out), (std::vector<std::string>{"222", "223"}));
}

TEST_F(ServerTcpTest, MbpollWritesStickAndPymodbusReadsThemBack) {
    // one value: FC6 / FC5; several: FC16 / FC15 (mbpoll -v shows the frames)
    auto fc6 = mbpoll_tcp(port_, {"-v", "-a", "1", "-t", "4", "-r", "10"}, {"65534"});
    ASSERT_EQ(fc6.exit_code, 0) << fc6.err << fc6.out;
    EXPECT_NE((fc6.out + fc6.err).find("[01][06][00][0A][FF][FE]"), std::string::npos)
        << fc6.out << fc6.err;
    ASSERT_EQ(mbpoll_tcp(port_, {"-a", "1", "-t", "4", "-r", "11"}, {"500", "600"}).exit_code, 0);
    auto fc5 = mbpoll_tcp(port_, {"-v", "-a", "1", "-t", "0", "-r", "20"}, {"1"});
    ASSERT_EQ(fc5.exit_code, 0) << fc5.err;
    EXPECT_NE((fc5.out + fc5.err).find("[01][05][00][14][FF][00]"), std::string::npos)
        << fc5.out << fc5.err;
    ASSERT_EQ(mbpoll_tcp(port_, {"-a", "1", "-t", "0", "-r", "21"}, {"0", "1", "1"}).exit_code, 0);
    const json results = pymodbus(tcp(port_), json::parse(R"([
        {"op": "read_holding", "address": 10, "count": 3},
        {"op": "read_coils", "address": 20, "count": 4},
        {"op": "read_holding", "unit": 2, "address": 10, "count": 1}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"registers": [65534, 500, 600]},
        {"bits": [true, false, true, true]},
        {"registers": [0]}
    ])"));
}

TEST_F(ServerTcpTest, MbpollReportsExceptions) {
    auto past_end = mbpoll_tcp(port_, {"-a", "1", "-t", "4", "-r", "999", "-c", "2"});
    EXPECT_NE(past_end.exit_code, 0);
    EXPECT_NE(past_end.err.find("Illegal data address"), std::string::npos) << past_end.err;
    auto gap = mbpoll_tcp(port_, {"-a", "2", "-t", "3", "-r", "9", "-c", "2"});
    EXPECT_NE(gap.err.find("Illegal data address"), std::string::npos) << gap.err;
}

TEST_F(ServerTcpTest, PymodbusSpeaksEveryFunctionCode) {
    // FC22 on 10: (10 AND 0xF2) OR (0x25 AND NOT 0xF2) = 7; FC23 writes 42 before reading
    const json results = pymodbus(tcp(port_), json::parse(R"([
        {"op": "read_coils", "address": 0, "count": 8},
        {"op": "read_discrete", "address": 0, "count": 4},
        {"op": "read_holding", "address": 0, "count": 3},
        {"op": "read_input", "address": 0, "count": 2},
        {"op": "write_coil", "address": 5, "value": 1},
        {"op": "write_register", "address": 3, "value": 4660},
        {"op": "write_coils", "address": 30, "values": [1, 1, 0, 1]},
        {"op": "write_registers", "address": 40, "values": [10, 20, 30]},
        {"op": "mask_write", "address": 40, "and_mask": 242, "or_mask": 37},
        {"op": "readwrite", "read_address": 40, "read_count": 3, "write_address": 42, "values": [99]},
        {"op": "read_coils", "address": 0, "count": 8},
        {"op": "read_coils", "address": 30, "count": 4},
        {"op": "read_holding", "address": 3, "count": 1},
        {"op": "diag_echo", "value": 42295},
        {"op": "report_server_id", "unit": 2},
        {"op": "device_info", "read_code": 1, "object_id": 0},
        {"op": "device_info", "read_code": 3, "object_id": 0},
        {"op": "device_info", "read_code": 4, "object_id": 128}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"bits": [true, false, true, true, false, false, true, false]},
        {"bits": [false, true, false, true]},
        {"registers": [1, 2, 3]},
        {"registers": [100, 200]},
        {"ok": true}, {"ok": true}, {"ok": true}, {"ok": true}, {"ok": true},
        {"registers": [7, 20, 99]},
        {"bits": [true, false, true, true, false, true, true, false]},
        {"bits": [true, true, false, true]},
        {"registers": [4660]},
        {"message": [42295]},
        {"identifier": "02ff726567706f6c6c"},
        {"conformity": 131, "more_follows": 0, "next_object_id": 0,
         "objects": {"0": "regpoll-test", "1": "REGPOLL", "2": "1.0"}},
        {"conformity": 131, "more_follows": 0, "next_object_id": 0,
         "objects": {"0": "regpoll-test", "1": "REGPOLL", "2": "1.0", "128": "extended object"}},
        {"conformity": 131, "more_follows": 0, "next_object_id": 0,
         "objects": {"128": "extended object"}}
    ])"));
}

TEST_F(ServerTcpTest, PymodbusGetsExceptions) {
    const json results = pymodbus(tcp(port_), json::parse(R"([
        {"op": "read_holding", "address": 999, "count": 2},
        {"op": "read_holding", "address": 0, "count": 126},
        {"op": "read_coils", "address": 0, "count": 2001},
        {"op": "write_registers", "address": 998, "values": [1, 2, 3]},
        {"op": "read_exception_status"},
        {"op": "device_info", "read_code": 4, "object_id": 5},
        {"op": "read_input", "unit": 2, "address": 52, "count": 4},
        {"op": "read_input", "unit": 2, "address": 52, "count": 3},
        {"op": "read_holding", "unit": 9, "address": 0, "count": 1},
        {"op": "read_holding", "address": 998, "count": 2}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"exception": 2}, {"exception": 3}, {"exception": 3}, {"exception": 2},
        {"exception": 1}, {"exception": 2}, {"exception": 2},
        {"registers": [0, 0, 0]},
        {"exception": 11},
        {"registers": [0, 0]}
    ])"))
        << "a refused write must leave 998/999 unchanged";
}

TEST(ServerTcp, OverlaidTablePacksBitsIntoRegisters) {
    PeerProcess server = start_server({"--overlaid", "--values", data_file("overlaid.json")});
    const auto port = server.ready_port();
    ASSERT_EQ(mbpoll_tcp(port, {"-a", "1", "-t", "0", "-r", "17"}, {"1"}).exit_code, 0);  // FC5
    const json results = pymodbus(tcp(port), json::parse(R"([
        {"op": "read_coils", "address": 0, "count": 4},
        {"op": "read_discrete", "address": 32, "count": 16},
        {"op": "read_holding", "address": 0, "count": 3},
        {"op": "read_input", "address": 0, "count": 3},
        {"op": "write_register", "address": 4, "value": 65535},
        {"op": "read_coils", "address": 63, "count": 3},
        {"op": "read_coils", "address": 3199, "count": 2},
        {"op": "read_input", "address": 100, "count": 1}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"bits": [true, false, true, false]},
        {"bits": [true, false, false, false, false, false, false, false,
                  false, false, false, false, false, false, false, true]},
        {"registers": [5, 2, 32769]},
        {"registers": [5, 2, 32769]},
        {"ok": true},
        {"bits": [false, true, true]},
        {"exception": 2},
        {"registers": [42]}
    ])"));
}

TEST(ServerTcp, SingleConnectionDeviceDropsTheOldClient) {
    PeerProcess server = start_server({"--single-connection"});
    const auto port = server.ready_port();
    server::test::Fd first = server::test::connect_tcp(port);
    ASSERT_TRUE(first.valid());
    ASSERT_TRUE(server::test::write_all(
        first.get(),
        modbus::encode_mbap(1, 1, std::vector<std::uint8_t>{0x03, 0x00, 0x00, 0x00, 0x01})));
    auto reply = server::test::read_frame(first.get(), modbus::parse_mbap, 5000ms);
    ASSERT_TRUE(reply);
    // mbpoll connects: the device lets go of the first client
    auto m = mbpoll_tcp(port, {"-a", "1", "-t", "4", "-r", "0", "-c", "2"});
    ASSERT_EQ(m.exit_code, 0) << m.err;
    EXPECT_EQ(mbpoll_values(m.out), (std::vector<std::string>{"1", "2"}));
    EXPECT_TRUE(server::test::wait_closed(first.get(), 5000ms));
    EXPECT_EQ(
        pymodbus(tcp(port), json::parse(R"([{"op": "read_holding", "address": 1, "count": 1}])")),
        json::parse(R"([{"registers": [2]}])"));
}

TEST(ServerTcp, InjectedFaults) {
    {
        PeerProcess busy = start_server({"--exception-rate", "1", "--exception-code", "6"});
        EXPECT_EQ(pymodbus(tcp(busy.ready_port()),
                           json::parse(R"([{"op": "write_register", "address": 0, "value": 9},
                                                                    {"op": "read_holding", "address": 0, "count": 1}])")),
                  json::parse(R"([{"exception": 6}, {"exception": 6}])"));
    }
    {
        PeerProcess small = start_server({"--max-read-registers", "45"});
        const auto port = small.ready_port();
        EXPECT_EQ(
            pymodbus(tcp(port), json::parse(R"([{"op": "read_holding", "address": 0, "count": 46},
                                                     {"op": "read_holding", "address": 0, "count": 2}])")),
            json::parse(R"([{"exception": 3}, {"registers": [1, 2]}])"));
        EXPECT_EQ(mbpoll_values(mbpoll_tcp(port, {"-a", "1", "-t", "4", "-r", "0", "-c", "45"}).out)
                      .size(),
                  45U);
        EXPECT_NE(mbpoll_tcp(port, {"-a", "1", "-t", "4", "-r", "0", "-c", "46"})
                      .err.find("Illegal data value"),
                  std::string::npos);
    }
    {
        PeerProcess lossy = start_server({"--drop-rate", "1"});
        auto r = pymodbus(tcp(lossy.ready_port()),
                          json::parse(R"([{"op": "write_register", "address": 0, "value": 9}])"));
        ASSERT_EQ(r.size(), 1U);
        EXPECT_TRUE(r[0].contains("error")) << r.dump();
    }
    {
        PeerProcess slow = start_server({"--delay-ms", "300"});
        const auto started = std::chrono::steady_clock::now();
        EXPECT_EQ(pymodbus(tcp(slow.ready_port()),
                           json::parse(R"([{"op": "read_holding", "address": 0, "count": 1},
                                                                  {"op": "read_holding", "address": 1, "count": 1}])")),
                  json::parse(R"([{"registers": [1]}, {"registers": [2]}])"));
        EXPECT_GE(std::chrono::steady_clock::now() - started, 600ms);  // a lower bound only
    }
}

TEST(ServerTcp, RtuFramesOverTcp) {
    PeerProcess server = start_server({"--listen", "rtu+tcp://127.0.0.1:0", "--units", "1,2",
                                       "--values", data_file("two_units.json")});
    const json results =
        pymodbus({"--transport", "rtu-over-tcp", "--port", server.ready_value()}, json::parse(R"([
        {"op": "read_holding", "unit": 2, "address": 0, "count": 2},
        {"op": "write_registers", "address": 10, "values": [7, 8]},
        {"op": "read_holding", "address": 10, "count": 2},
        {"op": "read_holding", "address": 999, "count": 2},
        {"op": "device_info", "read_code": 1, "object_id": 2}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"registers": [222, 223]},
        {"ok": true},
        {"registers": [7, 8]},
        {"exception": 2},
        {"conformity": 129, "more_follows": 0, "next_object_id": 0, "objects": {"2": "1.0"}}
    ])"));
}

TEST(ServerTcp, BadArgumentsExitWithStatus2) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--listen", "udp://127.0.0.1:0"},
             {"--units", "300"},
             {"--values", "/no/such/file.json"},
             {"--values", data_file("two_units.json"), "--units", "1"},
             {"--drop-rate", "2"}}) {
        std::vector<std::string> argv{REGPOLL_TESTSERVER};
        argv.insert(argv.end(), args.begin(), args.end());
        const CommandResult r = run_command(argv, 10s);
        EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << ": " << r.err;
        EXPECT_EQ(r.out, "");
    }
}

}  // namespace
}  // namespace regpoll::testing
