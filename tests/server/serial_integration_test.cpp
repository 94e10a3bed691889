// regpoll-testserver on a serial line, one end of a socat pseudo-terminal pair, checked by
// mbpoll (RTU) and Debian's python3-pymodbus 3.0.0 client (RTU and ASCII). Every test makes
// its own pty pair; parity N, since ptys on some kernels refuse to set parity.
#include "integration_support.hpp"

namespace regpoll::testing {
namespace {

using namespace server_support;

TEST(ServerSerial, RtuWithMbpollAndPymodbus) {
    SocatPair pty;
    PeerProcess server = start_server({"--listen", "rtu://" + pty.a() + "?baud=19200&parity=N",
                                       "--units", "1,2", "--values", data_file("two_units.json")});
    EXPECT_EQ(server.ready_value(), pty.a());
    auto read = run_command({"mbpoll", "-m", "rtu", "-b", "19200", "-P", "none", "-a", "2", "-0",
                             "-1", "-t", "4", "-r", "0", "-c", "2", pty.b()},
                            30s);
    ASSERT_EQ(read.exit_code, 0) << read.err << read.out;
    EXPECT_EQ(mbpoll_values(read.out), (std::vector<std::string>{"222", "223"}));
    auto write = run_command({"mbpoll", "-m", "rtu", "-b", "19200", "-P", "none", "-a", "1", "-0",
                              "-1", "-t", "4", "-r", "50", pty.b(), "7", "8"},
                             30s);
    ASSERT_EQ(write.exit_code, 0) << write.err << write.out;
    const json results = pymodbus(serial("rtu", pty.b()), json::parse(R"([
        {"op": "read_holding", "address": 50, "count": 2},
        {"op": "read_coils", "address": 0, "count": 4},
        {"op": "read_discrete", "address": 0, "count": 4},
        {"op": "read_input", "address": 0, "count": 1},
        {"op": "write_coil", "address": 1, "value": 1},
        {"op": "write_coils", "address": 8, "values": [1, 1]},
        {"op": "write_register", "address": 60, "value": 18},
        {"op": "mask_write", "address": 60, "and_mask": 242, "or_mask": 37},
        {"op": "readwrite", "read_address": 59, "read_count": 2, "write_address": 59, "values": [5]},
        {"op": "read_coils", "address": 0, "count": 10},
        {"op": "read_holding", "address": 999, "count": 2},
        {"op": "device_info", "read_code": 1, "object_id": 0},
        {"op": "report_server_id"},
        {"op": "diag_echo", "value": 4660}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"registers": [7, 8]},
        {"bits": [true, false, true, true]},
        {"bits": [false, true, false, true]},
        {"registers": [100]},
        {"ok": true}, {"ok": true}, {"ok": true}, {"ok": true},
        {"registers": [5, 23]},
        {"bits": [true, true, true, true, false, false, true, false, true, true]},
        {"exception": 2},
        {"conformity": 129, "more_follows": 0, "next_object_id": 0,
         "objects": {"0": "regpoll-test", "1": "REGPOLL", "2": "1.0"}},
        {"identifier": "01ff726567706f6c6c"},
        {"message": [4660]}
    ])"));
    // another unit on the same line: nobody answers
    auto absent =
        pymodbus(serial("rtu", pty.b()),
                 json::parse(R"([{"op": "read_holding", "unit": 7, "address": 0, "count": 1}])"));
    EXPECT_TRUE(absent[0].contains("error")) << absent.dump();
}

TEST(ServerSerial, RtuBroadcastIsExecutedWithoutReply) {
    SocatPair pty;
    PeerProcess server =
        start_server({"--listen", "rtu://" + pty.a() + "?parity=N", "--units", "1,2"});
    const json results = pymodbus(serial("rtu", pty.b()), json::parse(R"([
        {"op": "write_register", "unit": 0, "address": 5, "value": 77},
        {"op": "read_holding", "unit": 1, "address": 5, "count": 1},
        {"op": "read_holding", "unit": 2, "address": 5, "count": 1}
    ])"));
    ASSERT_EQ(results.size(), 3U);
    EXPECT_TRUE(results[0].contains("error")) << "broadcast got an answer: " << results.dump();
    EXPECT_EQ(results[1], json::parse(R"({"registers": [77]})"));
    EXPECT_EQ(results[2], json::parse(R"({"registers": [77]})"));
}

TEST(ServerSerial, RtuCorruptedCrcIsRejectedByTheMaster) {
    SocatPair pty;
    PeerProcess server = start_server({"--listen", "rtu://" + pty.a(), "--corrupt-rate", "1"});
    auto r = pymodbus(serial("rtu", pty.b()),
                      json::parse(R"([{"op": "read_holding", "address": 0, "count": 2}])"));
    ASSERT_EQ(r.size(), 1U);
    EXPECT_TRUE(r[0].contains("error")) << r.dump();
    auto m = run_command(
        {"mbpoll", "-m", "rtu", "-P", "none", "-a", "1", "-0", "-1", "-t", "4", "-r", "0", pty.b()},
        30s);
    EXPECT_NE(m.exit_code, 0) << m.out;
}

TEST(ServerSerial, AsciiWithPymodbus) {
    SocatPair pty;
    PeerProcess server = start_server({"--listen", "ascii://" + pty.a() + "?parity=N", "--units",
                                       "1,2", "--values", data_file("two_units.json")});
    const json results = pymodbus(serial("ascii", pty.b()), json::parse(R"([
        {"op": "read_holding", "unit": 2, "address": 0, "count": 2},
        {"op": "write_registers", "address": 10, "values": [1, 2]},
        {"op": "read_holding", "address": 9, "count": 3},
        {"op": "write_coils", "address": 2, "values": [0, 0]},
        {"op": "read_coils", "address": 0, "count": 4},
        {"op": "read_input", "unit": 2, "address": 10, "count": 1},
        {"op": "device_info", "read_code": 4, "object_id": 0}
    ])"));
    EXPECT_EQ(results, json::parse(R"([
        {"registers": [222, 223]},
        {"ok": true},
        {"registers": [10, 1, 2]},
        {"ok": true},
        {"bits": [true, false, false, false]},
        {"exception": 2},
        {"conformity": 129, "more_follows": 0, "next_object_id": 0, "objects": {"0": "regpoll-test"}}
    ])"));
}

TEST(ServerSerial, ServerExitsWithStatus1WhenTheLineGoesAway) {
    auto pty = std::make_unique<SocatPair>();
    PeerProcess server = start_server({"--listen", "rtu://" + pty->a()});
    pty.reset();  // socat exits, the pty is gone
    for (int i = 0; i < 100 && server.running(); ++i) std::this_thread::sleep_for(50ms);
    EXPECT_EQ(server.stop(), 1) << server.stderr_log();
}

}  // namespace
}  // namespace regpoll::testing
