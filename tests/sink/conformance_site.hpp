#pragma once
// The site the Home Assistant / Domoticz conformance tests run: `regpoll run` against a real
// mosquitto, Debian's pymodbus as the device, mbpoll reading the device on its own. Each test
// pins one defect of /work/shared/reference/ha-domoticz-conformance.md (D1–D10).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "mbpoll.hpp"
#include "mosquitto.hpp"
#include "mqtt_subscriber.hpp"
#include "peer_process.hpp"

namespace regpoll::testing {

class ConformanceTest : public ::testing::Test {
  protected:
    using json = nlohmann::json;

    void SetUp() override {
        name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = std::filesystem::temp_directory_path() /
               ("regpoll-conf-" + std::to_string(::getpid()) + "-" + name_);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        // energy: uint32 12345602 (12345.602 kWh); firmware "V1.2"; voltage 230.5 V.
        std::ofstream(dir_ / "values.json") << R"({
          "holding": { "10": [188, 24834], "30": [1], "40": [3], "50": [0], "60": [22065, 11826], "70": [2305] },
          "coils": { "0": [1] } })";
        broker_.emplace(name_);
        peer_.emplace(start_modbus_peer(
            {"--transport", "tcp", "--units", "1", "--values", (dir_ / "values.json").string()}));
    }
    void TearDown() override {
        if (regpoll_ && HasFailure())
            std::cerr << "regpoll's log:\n" << regpoll_->stderr_log() << "\n";
        regpoll_.reset();
        std::filesystem::remove_all(dir_);
    }

    // `mapping_extra` is added to the Domoticz voltage mapping, `mqtt_extra` to the mqtt section.
    std::string site(const std::string& mapping_extra = "", const std::string& mqtt_extra = "",
                     const std::string& extra_point = "") {
        const auto path = (dir_ / "site.json").string();
        std::ofstream(path) << R"({
          "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:)"
                            << peer_->ready_port() << R"(" } ],
          "devices": [ { "name": "plc", "bus": "lab", "unit": 1, "interval": "200ms", "writes": "all",
            "write_interval": "1s",
            "points": [
              { "name": "relay", "register": "coil", "address": 0, "type": "bool", "writable": true },
              { "name": "mode", "address": 30, "type": "uint16", "writable": true,
                "map": { "0": "Load First", "1": "Battery First", "2": "Grid First" } },
              { "name": "energy", "address": 10, "type": "uint32", "scale": 0.001, "unit": "kWh",
                "device_class": "energy", "state_class": "total_increasing" },
              { "name": "link", "address": 40, "type": "uint16", "writable": true, "min": 0, "max": 8,
                "map": { "8": "off" } },
              { "name": "alarm", "address": 50, "bit": 0 },
              { "name": "firmware", "address": 60, "type": "string", "length": 2 },
              { "name": "voltage", "address": 70, "type": "uint16", "scale": 0.1, "unit": "V",
                "device_class": "voltage", "state_class": "measurement" })"
                            << extra_point << R"( ],
            "domoticz": [ { "idx": 20, "type": "switch", "point": "relay" },
                          { "idx": 21, "type": "selector", "point": "mode" },
                          { "idx": 23, "type": "counter", "point": "energy" },
                          { "idx": 24, "type": "voltage", "point": "voltage")"
                            << mapping_extra << R"( } ] } ],
          "mqtt": { "broker": ")"
                            << broker_->uri() << R"(", "client_id": "regpoll-)" << name_ << R"(",
                    "homeassistant": true, "outbox": { "path": ")"
                            << (dir_ / "outbox.db").string() << R"(" })" << mqtt_extra << R"( } })";
        return path;
    }

    void start_regpoll(const std::string& cfg) {
        regpoll_.emplace(std::vector<std::string>{"/bin/sh", "-c",
                                                  std::string("echo READY; exec ") + binary() +
                                                      " run -c " + cfg + " --output none"},
                         "READY", std::chrono::seconds(20), (dir_ / "regpoll.log").string());
    }

    // REGPOLL_CONFORMANCE_BINARY runs these tests against another build (an older release, to
    // see a defect they pin).
    static std::string binary() {
        const char* other = std::getenv("REGPOLL_CONFORMANCE_BINARY");
        return other && *other ? other : REGPOLL_BINARY;
    }

    // Until `topic` carried a message (after message number `from`), at most 10 s.
    static bool wait_for(Subscriber& sub, const std::string& topic, std::size_t from = 0) {
        sub.collect(std::chrono::seconds(10), [&](const std::vector<Received>& got) {
            for (std::size_t i = from; i < got.size(); ++i)
                if (got[i].topic == topic) return true;
            return false;
        });
        for (std::size_t i = from; i < sub.got.size(); ++i)
            if (sub.got[i].topic == topic) return true;
        return false;
    }
    static std::vector<std::string> payloads_after(const Subscriber& sub, std::size_t from,
                                                   const std::string& topic) {
        std::vector<std::string> out;
        for (std::size_t i = from; i < sub.got.size(); ++i)
            if (sub.got[i].topic == topic) out.push_back(sub.got[i].payload);
        return out;
    }
    // The last non-empty discovery config on `topic`.
    static json config_on(const Subscriber& sub, const std::string& topic) {
        json out;
        for (const auto& r : sub.got)
            if (r.topic == topic && !r.payload.empty()) out = json::parse(r.payload);
        return out;
    }

    std::map<int, int> read_device(const std::string& table, int count) {
        return mbpoll_read(peer_->ready_port(), table, count);
    }

    std::string name_;
    std::filesystem::path dir_;
    std::optional<Mosquitto> broker_;
    std::optional<PeerProcess> peer_;
    std::optional<PeerProcess> regpoll_;
};

}  // namespace regpoll::testing
