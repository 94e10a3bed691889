#pragma once
// Sinks for `regpoll run --output`: JSON lines on stdout, or a line per device cycle in the
// log. (MQTT and SQLite sinks live in src/sink.)
#include <cstdio>

#include "poll/sample.hpp"

namespace regpoll::app {

// {"ts":1763632800123,"device":"inverter","point":"ac_power","value":1234.5,"unit":"W","quality":"good"}
class JsonlSink final : public poll::SampleSink {
public:
    explicit JsonlSink(std::FILE* out) : out_(out) {}
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string&, bool) override {}

private:
    std::FILE* out_;
};

class LogSink final : public poll::SampleSink {
public:
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string&, bool) override {}
};

class NullSink final : public poll::SampleSink {
public:
    void on_samples(std::span<const poll::Sample>) override {}
    void on_availability(const std::string&, bool) override {}
};

}  // namespace regpoll::app
