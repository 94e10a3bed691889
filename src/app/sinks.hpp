#pragma once
// Sinks for `regpoll run --output`: JSON lines on stdout, or a line per device cycle in the
// log. (MQTT and SQLite sinks live in src/sink.)
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "poll/sample.hpp"

namespace regpoll::profile {
struct SiteConfig;
}

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

namespace regpoll::app {

// A live table on the terminal, redrawn after each poll (at most a few times a second):
// one block per device, one line per point with its latest value and unit.
class TableSink final : public poll::SampleSink {
public:
    explicit TableSink(std::FILE* out) : out_(out) {}
    // Numbers print with their point's "precision" (decimals) in this configuration; points
    // without one print as they decode. Called at start and at each reload.
    void use_site(const profile::SiteConfig& site);
    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string& device, bool online) override;

private:
    void draw();
    std::string format(const poll::Sample& s) const;
    struct Row {
        std::string value;
        std::string unit;
    };
    std::FILE* out_;
    std::map<std::string, std::map<std::string, Row>> rows_;  // device → point → row
    std::map<std::string, bool> online_;
    std::map<std::string, std::map<std::string, int>> precision_;  // device → point → decimals
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace regpoll::app
