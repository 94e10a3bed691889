// Serial bus efficiency: how close regpoll's RTU link comes to what the line allows.
//
// A socat pty pair carries the bytes; bench_serial_wire_device (wire_time_device.cpp) on
// the far end answers each request when its last byte would arrive on a real line at the
// configured baud (11-bit characters). The physical limit of one read transaction is
//
//   wire(request) + t3.5 + wire(answer) + t3.5
//
// — both frames on the wire, each preceded by the silent interval the specification
// demands — so the limit in transactions per second is its inverse. regpoll reads back to
// back through transport::make_link (as every command does) and is measured against it;
// libmodbus (Debian's libmodbus5), driving the same device in the same run, is the peer.
// A benchmark, not a test: it prints figures and exits 0.
//
//   bench_serial_bus [--device-program PATH] [--seconds-per-case 4]
#include <modbus.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "modbus/error.hpp"
#include "peer_process.hpp"
#include "socat.hpp"
#include "transport/link_factory.hpp"
#include "transport/rtu_timing.hpp"

#ifndef WIRE_DEVICE
#define WIRE_DEVICE "bench_serial_wire_device"
#endif

namespace {

using namespace regpoll;
using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Case {
    unsigned baud;
    std::uint16_t registers;
};

struct Figures {
    double limit = 0;  // transactions per second
    double regpoll = 0;
    double libmodbus = 0;
    unsigned regpoll_errors = 0;
    unsigned libmodbus_errors = 0;
};

constexpr std::size_t request_bytes = 8;  // unit, FC3, address, count, CRC
std::size_t answer_bytes(std::uint16_t registers) { return 5 + 2u * registers; }

double physical_limit(const Case& c) {
    const transport::LineFormat line{c.baud, transport::Parity::even, 8, 1};
    const auto t35 = transport::rtu_timing(line).t35;
    const auto cycle = transport::wire_time(line, request_bytes) + t35 +
                       transport::wire_time(line, answer_bytes(c.registers)) + t35;
    return 1.0 / Seconds(cycle).count();
}

// `n` reads back to back through regpoll's link; returns transactions per second.
double run_regpoll(const std::string& path, const Case& c, int n, unsigned& errors) {
    boost::asio::io_context io;
    auto uri = transport::parse_uri("rtu://" + path + "?baud=" + std::to_string(c.baud));
    auto link = *transport::make_link(io, *uri, {});
    const auto request = *modbus::make_read_request(modbus::Function::read_holding_registers, 0, c.registers);
    int done = 0;
    int target = 5;  // warm-up: opens the port
    std::function<void()> issue = [&] {
        link->async_transact(1, request, transport::Milliseconds(2000), [&](std::error_code ec, modbus::Pdu) {
            if (ec) ++errors;
            if (++done < target) issue();
        });
    };
    // The link keeps a read pending on the line, so run until the chain is done.
    const auto run_chain = [&] {
        issue();
        while (done < target) io.run_one();
    };
    run_chain();
    done = 0;
    target = n;
    const auto start = Clock::now();
    run_chain();
    const double seconds = Seconds(Clock::now() - start).count();
    link->close();
    io.restart();
    io.poll();
    return n / seconds;
}

// The same reads through libmodbus.
double run_libmodbus(const std::string& path, const Case& c, int n, unsigned& errors) {
    modbus_t* ctx = modbus_new_rtu(path.c_str(), static_cast<int>(c.baud), 'E', 8, 1);
    if (ctx == nullptr || modbus_set_slave(ctx, 1) != 0 || modbus_connect(ctx) != 0) {
        std::fprintf(stderr, "libmodbus: cannot open %s: %s\n", path.c_str(), modbus_strerror(errno));
        if (ctx) modbus_free(ctx);
        return 0;
    }
    modbus_set_response_timeout(ctx, 2, 0);
    std::vector<std::uint16_t> regs(c.registers);
    for (int i = 0; i < 5; ++i) modbus_read_registers(ctx, 0, c.registers, regs.data());
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        if (modbus_read_registers(ctx, 0, c.registers, regs.data()) != c.registers) ++errors;
    }
    const double seconds = Seconds(Clock::now() - start).count();
    modbus_close(ctx);
    modbus_free(ctx);
    return n / seconds;
}

Figures measure(const std::string& device_program, const Case& c, double seconds_per_case) {
    testing::PtyPair line;
    testing::PeerProcess device({device_program, "--device", line.b(), "--baud", std::to_string(c.baud)},
                                "READY ");
    Figures f;
    f.limit = physical_limit(c);
    const int n = std::max(10, static_cast<int>(f.limit * seconds_per_case));
    f.regpoll = run_regpoll(line.a(), c, n, f.regpoll_errors);
    f.libmodbus = run_libmodbus(line.a(), c, n, f.libmodbus_errors);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::string device_program = WIRE_DEVICE;
    double seconds_per_case = 4;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--device-program") device_program = argv[i + 1];
        if (key == "--seconds-per-case") seconds_per_case = std::stod(argv[i + 1]);
    }
    std::printf("Serial bus efficiency: FC3 reads from one RTU device, 8E1 (11-bit characters),\n"
                "limit = 1 / (wire(request) + t3.5 + wire(answer) + t3.5)\n\n");
    std::printf("| baud | registers | request B | answer B | limit tx/s | regpoll tx/s | regpoll %% of limit "
                "| libmodbus tx/s | libmodbus %% of limit |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (unsigned baud : {9600u, 115200u}) {
        for (std::uint16_t registers : {std::uint16_t{1}, std::uint16_t{10}, std::uint16_t{125}}) {
            const Case c{baud, registers};
            const Figures f = measure(device_program, c, seconds_per_case);
            std::printf("| %u | %u | %zu | %zu | %.2f | %.2f | %.1f%% | %.2f | %.1f%% |", baud, registers,
                        request_bytes, answer_bytes(registers), f.limit, f.regpoll, 100 * f.regpoll / f.limit,
                        f.libmodbus, 100 * f.libmodbus / f.limit);
            if (f.regpoll_errors || f.libmodbus_errors) {
                std::printf(" errors: regpoll %u, libmodbus %u", f.regpoll_errors, f.libmodbus_errors);
            }
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    return 0;
}
