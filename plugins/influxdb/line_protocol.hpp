// InfluxDB line protocol, one line per sample:
//   regpoll,device=inverter,point=ac_power,unit=W value=1234.5 1763632800123000000
// Measurement, tag and field syntax and escaping as InfluxDB documents them ("Line
// protocol" reference, 1.x and 2.x alike).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "regpoll_plugin.h"

namespace influxdb {

enum class Precision { ns, us, ms, s };

struct LineFormat {
    std::string measurement = "regpoll";
    std::map<std::string, std::string>
        tags;  // added to every line (sorted by key, as InfluxDB prefers)
    Precision precision = Precision::ns;
};

// Appends the sample's line (with '\n') to `out`. False, appending nothing, when the value
// cannot be written: not available (NULL), or a NaN or infinite number (line protocol has
// no way to write them).
bool append_sample(std::string& out, const LineFormat& format, const regpoll_sample& sample);

// `<measurement>_availability,device=<device> online=true|false <ts>`
void append_availability(std::string& out, const LineFormat& format, std::int64_t ts_ms,
                         const char* device, bool online);

// The pieces, for tests: measurement names escape commas and spaces; tag keys, tag values
// and field keys also escape '='; string field values escape '"' and '\'. Line breaks, which
// line protocol cannot carry, become spaces.
std::string escape_measurement(const std::string& s);
std::string escape_tag(const std::string& s);
std::string quote_string(const char* data, std::size_t size);
std::string timestamp(std::int64_t ts_ms, Precision precision);

}  // namespace influxdb
