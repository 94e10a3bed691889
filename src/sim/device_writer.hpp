#pragma once
// Puts one device's point values into its unit's tables, exactly as its profile lays
// them out, and says what a poller will decode from them.
//
// - Registers are mapped for every point, plus the gaps a poll may bridge (the profile's
//   limits.max_gap); other addresses answer ILLEGAL DATA ADDRESS as on a real device.
// - Scale-factor points (named by some point's scale_register) hold a power of ten chosen
//   here: the smallest exponent from -3 up at which every point using it fits its type.
//   It only ever grows during a run (a real device's scale factors do not flicker), unless
//   the configuration gives the exponent or makes the scale factor "not available".
// - `bit` points and int8/uint8 bytes change only their own bits of a shared register.
// - A point whose registers another point also writes in full (an alias, or a 16-bit
//   view of bits) is not written; its value is read back from the registers.
// - What a client writes sticks: once a point's registers differ from what was last put
//   there, the point is held at the client's value.
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/value.hpp"
#include "profile/point.hpp"
#include "server/data_tables.hpp"

namespace regpoll::sim {

class DeviceWriter {
  public:
    DeviceWriter(std::vector<profile::Point> points, profile::Limits limits);

    // Maps what the device has (see above) in `tables`.
    void map(server::UnitTables& tables) const;

    // Whether point `index` is a scale factor (another point's scale_register).
    bool is_scale_factor(std::size_t index) const { return scale_users_[index].size() > 0; }
    // A scale factor whose value comes from the caller's values (an exponent, or
    // std::monostate for "not available") instead of being chosen.
    void set_scale_factor_given(std::size_t index) { given_.insert(index); }
    // Points written from other points' registers (see above); their values are ignored.
    bool is_derived(std::size_t index) const { return derived_[index]; }

    // Writes values[i] (engineering value, map text, or std::monostate = not available) for
    // every point and returns, per point, what the poller will decode. A value that cannot
    // be written is reported in `problems` once (the point then keeps its registers).
    std::vector<codec::Value> write(const std::vector<codec::Value>& values,
                                    server::UnitTables& tables, std::vector<std::string>& problems);

    const std::vector<profile::Point>& points() const { return points_; }

  private:
    int choose_exponent(std::size_t sf, const std::vector<codec::Value>& values) const;
    bool held_by_client(std::size_t index, const server::UnitTables& tables) const;
    // Encodes and writes one point; what it decodes to, or nullopt after a problem.
    std::optional<codec::Value> put(std::size_t index, const codec::Value& value, int exponent,
                                    server::UnitTables& tables, std::vector<std::string>& problems);
    codec::Value read_back(std::size_t index, const server::UnitTables& tables,
                           std::optional<std::int64_t> exponent) const;

    std::vector<profile::Point> points_;
    profile::Limits limits_;
    std::vector<std::optional<std::size_t>> scale_factor_;  // per point: its sf point
    std::vector<std::vector<std::size_t>> scale_users_;     // per sf point: who uses it
    std::vector<bool> derived_;
    std::set<std::size_t> given_;
    std::vector<std::optional<int>> exponent_;         // per sf point, once chosen
    std::vector<bool> sf_available_;                   // per sf point, when given
    std::vector<std::vector<std::uint16_t>> written_;  // per point: its own bits as last put
    std::vector<std::optional<bool>> written_bit_;
    std::vector<bool> held_;
    std::set<std::string> reported_;
};

}  // namespace regpoll::sim
