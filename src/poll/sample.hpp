#pragma once
// What polling produces: one value of one point at one time, and the sinks that take them.
#include <cstdint>
#include <span>
#include <string>

#include "codec/value.hpp"

namespace regpoll::poll {

enum class Quality {
    good,
    unavailable,  // the device reported "not available" (a nan sentinel): value is null
};

const char* quality_name(Quality q);

struct Sample {
    std::int64_t ts_ms = 0;          // Unix milliseconds, when the response arrived
    const std::string* device = nullptr;  // owned by the running configuration
    const std::string* point = nullptr;
    const std::string* unit = nullptr;
    codec::Value value;
    Quality quality = Quality::good;
    // From a Shine 0x50 record: stored by the datalogger during an outage and sent late, so
    // `ts_ms` is its own (older) time. History and plugins take it like any sample; it never
    // becomes a device's current value on MQTT.
    bool buffered = false;
};

// Receives samples and device availability on the poller's thread. Implementations that
// do slow work (network, disk) queue it; they never block the poll loop.
class SampleSink {
public:
    virtual ~SampleSink() = default;
    virtual void on_samples(std::span<const Sample> samples) = 0;
    virtual void on_availability(const std::string& device, bool online) = 0;
};

}  // namespace regpoll::poll
