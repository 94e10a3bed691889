// Request rate of regpoll's TCP link: FC3 reads of Q registers on one connection, K
// outstanding at a time (K = 1: sequential, the libmodbus comparison; K > 1: pipelined
// through TcpOptions::max_in_flight), for a fixed time. Values are checked against
// fast_server's map (register a = a * 7 & 0xFFFF), as the libmodbus peer does.
//
// Prints one line:
//   RESULT client=regpoll mode=sequential|pipelined in_flight=K requests=N seconds=T rate=R
//          cpu_us_per_request=C errors=E
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "modbus/pdu.hpp"
#include "transport/tcp_link.hpp"
#include "transport/uri.hpp"

namespace {

using namespace regpoll;
using Clock = std::chrono::steady_clock;

struct Options {
    std::uint16_t port = 0;
    double seconds = 5;
    std::uint16_t registers = 50;
    std::size_t in_flight = 1;
    std::uint64_t warmup = 200;
};

struct Result {
    std::uint64_t requests = 0;
    double seconds = 0;
    double cpu_seconds = 0;
    std::uint64_t errors = 0;
    bool gave_up = false;
};

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The address of the n-th read: the same walk as tcp_rate_libmodbus (200 addresses).
constexpr std::uint64_t address_count = 200;
std::uint16_t address_for(std::uint64_t n) {
    return static_cast<std::uint16_t>((n % address_count) * 50);
}

// Keeps `in_flight` reads outstanding; each response starts the next read until the time
// is up, then the link is closed so io_context::run returns.
class RateClient {
  public:
    // The requests are built once, as the poller's plan builds them; each read sends a copy.
    RateClient(std::shared_ptr<transport::Link> link, const Options& options)
        : link_(std::move(link)), options_(options) {
        for (std::uint64_t n = 0; n < address_count; ++n) {
            requests_.push_back(*modbus::make_read_request(modbus::Function::read_holding_registers,
                                                           address_for(n), options_.registers));
        }
    }

    void start() {
        if (options_.warmup == 0) begin_measuring();
        for (std::size_t i = 0; i < options_.in_flight; ++i) issue();
    }

    const Result& result() const { return result_; }

  private:
    enum class Phase { warming_up, measuring, draining };

    void issue() {
        const auto index = static_cast<std::size_t>(sent_++ % address_count);
        ++outstanding_;
        link_->async_transact(1, requests_[index], std::chrono::milliseconds(1000),
                              [this, index](std::error_code ec, modbus::Pdu response) {
                                  on_response(index, ec, response);
                              });
    }

    void on_response(std::size_t index, std::error_code ec, const modbus::Pdu& response) {
        --outstanding_;
        const bool ok = !ec && values_ok(index, response);
        consecutive_errors_ = ok ? 0 : consecutive_errors_ + 1;
        ++completed_;
        if (phase_ == Phase::measuring) {
            ++result_.requests;
            if (!ok) ++result_.errors;
            last_ = Clock::now();
            if (last_ - start_ >= std::chrono::duration<double>(options_.seconds)) {
                phase_ = Phase::draining;
            }
        } else if (phase_ == Phase::warming_up && completed_ == options_.warmup) {
            begin_measuring();
        }
        if (consecutive_errors_ >= 100) {
            if (!result_.gave_up)
                std::fprintf(stderr, "tcp_rate_regpoll: %s\n", ec.message().c_str());
            result_.gave_up = true;
            phase_ = Phase::draining;
        }
        if (phase_ != Phase::draining) {
            issue();
        } else if (outstanding_ == 0) {
            result_.seconds = std::chrono::duration<double>(last_ - start_).count();
            result_.cpu_seconds = cpu_seconds() - cpu_start_;
            link_->close();
        }
    }

    bool values_ok(std::size_t index, const modbus::Pdu& response) const {
        const std::uint16_t address = address_for(index);
        const auto regs = modbus::parse_registers(requests_[index], response);
        if (!regs || regs->size() != options_.registers) return false;
        for (std::size_t i = 0; i < regs->size(); ++i) {
            if ((*regs)[i] != static_cast<std::uint16_t>(((address + i) * 7) & 0xFFFF))
                return false;
        }
        return true;
    }

    void begin_measuring() {
        phase_ = Phase::measuring;
        start_ = last_ = Clock::now();
        cpu_start_ = cpu_seconds();
    }

    std::shared_ptr<transport::Link> link_;
    Options options_;
    std::vector<modbus::Pdu> requests_;  // by address index
    Phase phase_ = Phase::warming_up;
    std::uint64_t sent_ = 0;
    std::uint64_t completed_ = 0;
    std::size_t outstanding_ = 0;
    std::uint64_t consecutive_errors_ = 0;
    Clock::time_point start_{};
    Clock::time_point last_{};
    double cpu_start_ = 0;
    Result result_;
};

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{"regpoll TCP request-rate benchmark client (127.0.0.1 only)"};
    app.add_option("--port", options.port, "fast_server port")->required();
    app.add_option("--seconds", options.seconds, "measured time")->check(CLI::PositiveNumber);
    app.add_option("--registers", options.registers, "registers per read")
        ->check(CLI::Range(1, static_cast<int>(modbus::max_read_registers)));
    app.add_option("--in-flight", options.in_flight, "reads outstanding at once (1: sequential)")
        ->check(CLI::Range(1, 64));
    app.add_option("--warmup", options.warmup, "reads before the clock starts");
    CLI11_PARSE(app, argc, argv);

    const auto uri = transport::parse_uri("tcp://127.0.0.1:" + std::to_string(options.port));
    if (!uri) {
        std::fprintf(stderr, "tcp_rate_regpoll: %s\n", uri.error().c_str());
        return 2;
    }
    boost::asio::io_context io;
    transport::TcpOptions tcp;
    tcp.max_in_flight = options.in_flight;
    RateClient client(transport::make_tcp_link(io, *uri, tcp), options);
    client.start();
    io.run();

    const Result& r = client.result();
    if (r.gave_up || r.requests == 0 || r.seconds <= 0) return 1;
    std::printf(
        "RESULT client=regpoll mode=%s in_flight=%zu requests=%llu seconds=%.3f rate=%.0f "
        "cpu_us_per_request=%.2f errors=%llu\n",
        options.in_flight == 1 ? "sequential" : "pipelined", options.in_flight,
        static_cast<unsigned long long>(r.requests), r.seconds,
        static_cast<double>(r.requests) / r.seconds,
        r.cpu_seconds * 1e6 / static_cast<double>(r.requests),
        static_cast<unsigned long long>(r.errors));
    return r.errors == 0 ? 0 : 1;
}
