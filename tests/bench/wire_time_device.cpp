// A Modbus RTU device with a wire-time model, for the serial bus benchmark. A pty moves
// bytes instantly; a real line does not. So this device answers each request at the moment
// its last byte would reach the master on a real line:
//
//   request received (the master's write)
//   + wire time of the request          (its characters leaving the master's UART)
//   + t3.5                              (the silence that tells a device the frame ended)
//   + wire time of the answer           (the answer's characters on the line)
//
// at 11 bits per character (8E1), and then writes the whole answer at once. Holding and
// input registers read as address + i; writes are echoed. Timing uses absolute
// clock_nanosleep with a 1 ns timer slack, so the model is accurate to a few µs.
//
//   bench_serial_wire_device --device /dev/pts/N --baud 9600 [--parity E] [--seconds 600]
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "modbus/pdu.hpp"
#include "modbus/rtu.hpp"
#include "transport/rtu_timing.hpp"

namespace {

using regpoll::transport::LineFormat;
using regpoll::transport::Parity;

long long now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

void sleep_until_ns(long long t) {
    timespec ts{static_cast<time_t>(t / 1'000'000'000LL), static_cast<long>(t % 1'000'000'000LL)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
    }
}

regpoll::modbus::Pdu answer_to(const regpoll::modbus::Pdu& request) {
    using regpoll::modbus::get_u16;
    const std::uint8_t fc = request[0];
    if ((fc == 3 || fc == 4) && request.size() >= 5) {
        const std::uint16_t address = get_u16(request, 1);
        const std::uint16_t count = get_u16(request, 3);
        regpoll::modbus::Pdu pdu{fc, static_cast<std::uint8_t>(2 * count)};
        for (std::uint16_t i = 0; i < count; ++i) {
            regpoll::modbus::put_u16(pdu, static_cast<std::uint16_t>(address + i));
        }
        return pdu;
    }
    if ((fc == 6 || fc == 16) && request.size() >= 5) return {request.begin(), request.begin() + 5};
    return {static_cast<std::uint8_t>(fc | 0x80), 0x01};
}

struct Args {
    std::string device;
    LineFormat line;
    double seconds = 600;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--device") a.device = value;
        else if (key == "--baud") a.line.baud = static_cast<unsigned>(std::stoul(value));
        else if (key == "--parity") a.line.parity = value == "N" ? Parity::none : value == "O" ? Parity::odd : Parity::even;
        else if (key == "--stop") a.line.stop_bits = static_cast<unsigned>(std::stoul(value));
        else if (key == "--seconds") a.seconds = std::stod(value);
    }
    if (a.device.empty()) {
        std::fprintf(stderr, "usage: %s --device PATH --baud N [--parity E|N|O] [--stop 1|2]\n", argv[0]);
        std::exit(2);
    }
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    ::prctl(PR_SET_TIMERSLACK, 1UL);
    const int fd = ::open(args.device.c_str(), O_RDWR | O_NOCTTY);
    if (fd < 0) {
        std::perror(args.device.c_str());
        return 1;
    }
    termios t{};
    ::tcgetattr(fd, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(fd, TCSANOW, &t);
    const auto t35 = regpoll::transport::rtu_timing(args.line).t35.count();
    const auto wire = [&](std::size_t bytes) { return regpoll::transport::wire_time(args.line, bytes).count(); };
    std::printf("READY %s\n", args.device.c_str());
    std::fflush(stdout);

    std::vector<std::uint8_t> buffer;
    std::uint8_t chunk[512];
    const long long end = now_ns() + static_cast<long long>(args.seconds * 1e9);
    while (now_ns() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        const long long received = now_ns();
        buffer.insert(buffer.end(), chunk, chunk + n);
        while (!buffer.empty()) {
            auto r = regpoll::modbus::parse_rtu(buffer, regpoll::modbus::Direction::request);
            if (r.status == regpoll::modbus::ParseResult::Status::need_more) break;
            const std::size_t request_size = r.consumed;
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(r.consumed));
            if (r.status != regpoll::modbus::ParseResult::Status::frame || r.adu.unit == 0) continue;
            const auto reply = regpoll::modbus::encode_rtu(r.adu.unit, answer_to(r.adu.pdu));
            sleep_until_ns(received + wire(request_size) + t35 + wire(reply.size()));
            if (::write(fd, reply.data(), reply.size()) != static_cast<ssize_t>(reply.size())) return 1;
        }
    }
    return 0;
}
