#pragma once
// A simulated Growatt Shine datalogger: it dials a server (regpoll's shine+listen://, or
// anything that plays the Growatt server), sends a ping and the announce (holding
// registers), then every upload interval a live record (input registers) of one simulated
// inverter. A record the server does not ack is sent again; while the server is away the
// records are kept and later sent as buffered (0x50) records, oldest first, one per ack,
// each with its own time, as real sticks do after an outage. It answers the server's
// commands: settings 0x19/0x18 (upload interval, clock) and the inverter's holding registers
// 0x05/0x06/0x10, whose writes stay in its tables.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "modbus/register_kind.hpp"
#include "profile/point.hpp"
#include "server/data_tables.hpp"
#include "shine/records.hpp"
#include "sim/sim_time.hpp"

namespace regpoll::sim {

// A run of registers a stick sends as one block.
struct StickBlock {
    std::uint16_t first = 0;
    std::uint16_t count = 0;
    friend bool operator==(const StickBlock&, const StickBlock&) = default;
};

// The blocks a stick sends for a profile's points of `kind`: the aligned blocks of
// `block_size` registers (125; 45 for the classic v3.x family) that hold them, in address
// order. For the shipped Growatt profiles these are their family's blocks (input
// 3000-3124/3125-3249 for growatt/min-tl-xh, 0-44/45-89 for growatt/tl-v3, …).
std::vector<StickBlock> stick_blocks(const std::vector<profile::Point>& points,
                                     modbus::RegisterKind kind, std::uint16_t block_size);

struct ShineStickSpec {
    std::string host = "127.0.0.1";
    std::uint16_t port = 5279;
    std::string datalogger;            // up to 10 letters and digits
    std::string inverter;
    std::uint16_t protocol = 6;        // 2, 5 or 6
    std::uint8_t unit = 1;             // the unit byte of its records
    std::chrono::milliseconds upload_interval{std::chrono::minutes(5)};
    std::chrono::milliseconds ack_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds redial{std::chrono::seconds(2)};
    std::chrono::milliseconds clock_skew{0};  // the logger clock's error until the server sets it
    std::size_t max_buffered = 10000;  // records kept while the server is away; oldest go first
    std::vector<StickBlock> input_blocks, holding_blocks;
};

struct ShineStickStats {
    std::uint64_t connects = 0;
    std::uint64_t sent = 0;       // records sent, re-sends included
    std::uint64_t resent = 0;     // sent again after no ack
    std::uint64_t acked = 0;
    std::uint64_t buffered = 0;   // records that became 0x50 because the server was away
    std::uint64_t discarded = 0;  // buffered records dropped at max_buffered
};

class ShineStick {
  public:
    // `refresh` moves the simulated inverter's values to a time and leaves them in `tables`,
    // where the stick reads its blocks (and writes what the server writes). `clock` gives simulated time; records carry it as
    // the logger's local clock in `zone`.
    ShineStick(boost::asio::io_context& io, ShineStickSpec spec, server::UnitTables& tables,
               std::function<void(SimTime)> refresh, std::function<SimTime()> clock,
               LocalZone zone);
    ~ShineStick();
    ShineStick(const ShineStick&) = delete;
    ShineStick& operator=(const ShineStick&) = delete;

    // Dials, and takes the first record now and then every upload interval.
    void start();
    void stop();
    ShineStickStats stats() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace regpoll::sim
