#pragma once
// Records a device pushes (Growatt Shine data records) decoded like a poll cycle: the
// record's register blocks stand in for read responses, so the device's ordinary profile
// decodes them. Pure: no I/O, no clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modbus/register_kind.hpp"
#include "poll/point_decoder.hpp"
#include "shine/records.hpp"

namespace regpoll::poll {

// Appends a sample for every point of `kind` whose registers (and scale register) all lie
// inside one of `blocks`. A point outside the blocks gets no sample: never a stale or zero
// value.
std::vector<DecodeError> decode_pushed_blocks(const std::vector<profile::Point>& points,
                                              modbus::RegisterKind kind,
                                              const std::vector<shine::RegisterBlock>& blocks,
                                              std::int64_t ts_ms, const std::string& device,
                                              std::vector<Sample>& out);

// The register kind a Shine data record carries: holding in 0x03, input in 0x04 and 0x50.
modbus::RegisterKind pushed_kind(std::uint8_t record_type);

// Unix milliseconds of a record's own timestamp (the logger's clock: `utc_offset_minutes`
// east of UTC, or the host's local time when absent) if it is plausible for a record that
// arrived at `arrival_ms`: a valid date, at most an hour ahead, and at most an hour behind
// (30 days for buffered records). Otherwise nullopt: the caller uses the arrival time.
std::optional<std::int64_t> record_time_ms(const std::optional<shine::RecordTime>& time,
                                           std::optional<int> utc_offset_minutes,
                                           std::int64_t arrival_ms, bool buffered);

}  // namespace regpoll::poll
