#pragma once
// The simulator as a running thing: devices served on their listeners (TCP or serial
// Modbus servers over one io_context), values refreshed on a timer on the same thread,
// and the values it intends published for whoever checks a poller against it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/expected.hpp"
#include "server/responder.hpp"
#include "sim/sim_config.hpp"
#include "sim/sim_time.hpp"

namespace regpoll::sim {

struct SimulationOptions {
    bool freeze = false;             // values stay as first generated (clients' writes still stick)
    std::string dump_path;           // rewritten (atomically) with snapshot() after every refresh
    bool print_values = false;       // one JSON line per device on stdout after every refresh
    std::function<SimTime()> clock;  // default: the system clock
    LocalZone zone = LocalZone::system();
};

class Simulation {
  public:
    Simulation(boost::asio::io_context& io, SimConfig config, SimulationOptions options);
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Builds the devices and writes their first values. The result lists values that
    // cannot be written (a configuration that asks too much of a point); empty is good.
    std::vector<std::string> prepare();
    // Moves every value to the clock's time now, as the refresh timer does; what cannot
    // be written, as prepare().
    std::vector<std::string> refresh();
    // Starts every listener and the refresh timer. One value per listener, in
    // configuration order: the bound TCP port, or the serial device. On error nothing runs.
    Expected<std::vector<std::string>, std::string> start();
    // With options.print_values: the intended values as JSON lines on stdout now (they are
    // printed after every refresh; call this once after announcing the listeners).
    void print_values() const;
    // Closes the listeners and stops refreshing.
    void stop();
    // Called once if a serial listener fails while serving.
    void set_failure_handler(std::function<void(const std::string&)> handler);

    // {"ts": ms, "devices": [{"name", "unit", "profile", "listen", "values": {point: value}}],
    //  "signals": {name: value}} ("signals" only when there are some; ts in simulated time)
    // Values are what a poller decodes (map texts, null for "not available"), before the
    // poller's precision rounding.
    nlohmann::ordered_json snapshot() const;
    // Per device, "name (profile) unit U on LISTEN: N points" then one line per point.
    std::vector<std::string> plan() const;
    server::ServerStats stats() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace regpoll::sim
