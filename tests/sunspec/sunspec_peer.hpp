#pragma once
// A pymodbus server (Debian's python3-pymodbus, tests/integration/peer/modbus_peer.py)
// holding SunSpec chains built by sunspec_chain.py straight from the official model JSON,
// and what a correct reader sees in them.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "peer_process.hpp"
#include "reference_models.hpp"

namespace regpoll::testing {

class SunspecPeer {
  public:
    // `chain`: the sunspec_chain.py description; `peer_args`: more modbus_peer.py flags.
    SunspecPeer(const nlohmann::json& chain, std::vector<std::string> peer_args = {}) {
        dir_ = std::filesystem::temp_directory_path() /
               ("regpoll-sunspec-" + std::to_string(::getpid()) + "-" + std::to_string(++serial()));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "chain.json") << chain.dump();
        auto built = run_command(
            {peer_python(), "-I", source_dir() + "/tests/sunspec/sunspec_chain.py", "--models-dir",
             reference_models_dir().string(), "--chain", (dir_ / "chain.json").string(), "--values",
             (dir_ / "values.json").string(), "--expected", (dir_ / "expected.json").string()},
            std::chrono::seconds(60));
        if (built.exit_code != 0) throw std::runtime_error("sunspec_chain.py: " + built.err);
        expected_ = nlohmann::json::parse(std::ifstream(dir_ / "expected.json"));
        std::string units;
        for (const auto& [unit, _] : chain.at("units").items())
            units += (units.empty() ? "" : ",") + unit;
        std::vector<std::string> args{"--transport", "tcp",      "--units",
                                      units,         "--values", (dir_ / "values.json").string(),
                                      "--log-level", "warning"};
        args.insert(args.end(), peer_args.begin(), peer_args.end());
        peer_.emplace(start_modbus_peer(args));
    }
    ~SunspecPeer() {
        peer_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(peer_->ready_port()); }
    std::uint16_t port() const { return peer_->ready_port(); }
    // {"base": B, "models": [{"id", "address", "length", "points": {path: {address, value}}}]}
    const nlohmann::json& expected(int unit) const { return expected_.at(std::to_string(unit)); }
    std::filesystem::path file(const std::string& name) const { return dir_ / name; }
    PeerProcess& process() { return *peer_; }

  private:
    static int& serial() {
        static int n = 0;
        return n;
    }
    std::filesystem::path dir_;
    nlohmann::json expected_;
    std::optional<PeerProcess> peer_;
};

// The same value: numbers within a relative 1e-9, null for both "not implemented".
inline ::testing::AssertionResult same_value(const nlohmann::json& got,
                                             const nlohmann::json& want) {
    if (want.is_null() || got.is_null()) {
        return got.is_null() == want.is_null()
                   ? ::testing::AssertionSuccess()
                   : ::testing::AssertionFailure() << got.dump() << " vs " << want.dump();
    }
    if (want.is_number() && got.is_number()) {
        const double a = got.get<double>(), b = want.get<double>();
        if (std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)))
            return ::testing::AssertionSuccess();
    } else if (got == want) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << got.dump() << " vs " << want.dump();
}

}  // namespace regpoll::testing
