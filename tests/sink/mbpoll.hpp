#pragma once
// A table of a Modbus TCP device on loopback, read by mbpoll (an independent master), so a
// test sees what really reached the device.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "peer_process.hpp"

namespace regpoll::testing {

// Registers (or bits) 0..count-1 of unit 1: table "0" coils, "4" holding registers.
inline std::map<int, int> mbpoll_read(std::uint16_t port, const std::string& table, int count) {
    auto r = run_command({"mbpoll", "-m", "tcp", "-p", std::to_string(port), "-a", "1", "-t", table,
                          "-r", "0", "-0", "-c", std::to_string(count), "-1", "127.0.0.1"},
                         std::chrono::seconds(10));
    std::map<int, int> out;
    static const std::regex line(R"(\[(\d+)\]:\s+(-?\d+))");
    for (std::sregex_iterator it(r.out.begin(), r.out.end(), line), end; it != end; ++it) {
        out[std::stoi((*it)[1])] = std::stoi((*it)[2]);
    }
    EXPECT_EQ(out.size(), static_cast<std::size_t>(count)) << r.out << r.err;
    return out;
}

}  // namespace regpoll::testing
