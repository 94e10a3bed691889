#pragma once
// A real MQTT client for tests: a persistent-session subscriber to everything (so messages
// published while it is away, during a broker restart, still arrive) that can publish too.
#include <chrono>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

namespace regpoll::testing {

struct Received {
    std::string topic;
    std::string payload;
    bool retained;
};

class Subscriber {
public:
    Subscriber(const std::string& uri, const std::string& id) : client_(uri, id) {
        client_.start_consuming();
        auto opts = mqtt::connect_options_builder().clean_session(false).finalize();
        client_.connect(opts)->wait_for(std::chrono::seconds(5));
        client_.subscribe("#", 1)->wait_for(std::chrono::seconds(5));
    }
    void publish(const std::string& topic, const std::string& payload, bool retained = false) {
        client_.publish(mqtt::make_message(topic, payload, 1, retained))->wait_for(std::chrono::seconds(5));
    }
    ~Subscriber() {
        try {
            client_.disconnect()->wait_for(std::chrono::seconds(2));
        } catch (...) {
        }
    }
    // Disconnects, keeping what the broker delivered (and the client acknowledged) up to then:
    // those messages are gone from the broker's session, so the test must count them.
    void disconnect() {
        try {
            client_.disconnect()->wait_for(std::chrono::seconds(2));
        } catch (...) {
        }
        mqtt::const_message_ptr m;
        while (client_.try_consume_message(&m)) {
            if (m) got.push_back({m->get_topic(), m->to_string(), m->is_retained()});
        }
    }
    // Collects messages for `d`, or until `until` is true of what was collected.
    void collect(std::chrono::milliseconds d, const std::function<bool(const std::vector<Received>&)>& until = {}) {
        const auto deadline = std::chrono::steady_clock::now() + d;
        while (std::chrono::steady_clock::now() < deadline) {
            mqtt::const_message_ptr m;
            if (client_.try_consume_message_for(&m, std::chrono::milliseconds(50)) && m) {
                got.push_back({m->get_topic(), m->to_string(), m->is_retained()});
                if (until && until(got)) return;
            }
        }
    }
    std::vector<std::string> payloads(const std::string& topic) const {
        std::vector<std::string> out;
        for (const auto& r : got) if (r.topic == topic) out.push_back(r.payload);
        return out;
    }
    // The "ts" of every JSON message on `topic` (a device's state topic), in arrival order.
    std::vector<std::int64_t> times(const std::string& topic) const {
        std::vector<std::int64_t> out;
        for (const auto& p : payloads(topic)) out.push_back(nlohmann::json::parse(p)["ts"].get<std::int64_t>());
        return out;
    }
    std::vector<Received> got;

private:
    mqtt::async_client client_;
};

// The "ts" of every sample of `point` that `regpoll run --output jsonl` printed, in order.
inline std::vector<std::int64_t> jsonl_times(const std::string& out, const std::string& point) {
    std::vector<std::int64_t> times;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        if (j["point"] == point) times.push_back(j["ts"].get<std::int64_t>());
    }
    return times;
}

}  // namespace regpoll::testing
