#include "sim/simulation.hpp"

#include "poll/value_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

#include "common/duration.hpp"
#include "server/serial_server.hpp"
#include "server/tcp_server.hpp"
#include "sim/sim_device.hpp"
#include "sim/value_order.hpp"

namespace regpoll::sim {
namespace {

namespace asio = boost::asio;

std::int64_t unix_ms(SimTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

struct Simulation::State {
    State(asio::io_context& io_, SimConfig config_, SimulationOptions options_)
        : io(io_), config(std::move(config_)), options(std::move(options_)), timer(io_) {
        if (!options.clock) options.clock = [] { return SimClock::now(); };
    }

    asio::io_context& io;
    SimConfig config;
    SimulationOptions options;
    asio::steady_timer timer;
    std::vector<std::unique_ptr<server::DataTables>> tables;  // per listener
    std::vector<std::unique_ptr<SimDevice>> devices;          // parallel to config.devices
    std::vector<std::unique_ptr<server::TcpServer>> tcp;
    std::vector<std::unique_ptr<server::SerialServer>> serial;
    std::vector<std::string> bound;  // per listener, once started: the URI with the real port
    std::function<void(const std::string&)> on_failure;
    SimTime last_refresh{};
    bool running = false;
    std::optional<SimTime> first_clock;               // the clock's first reading
    std::vector<std::unique_ptr<Generator>> signals;  // parallel to config.signals
    std::vector<codec::Value> signal_values;          // their last output
    std::vector<ValueOwner> owners;                   // the devices, then the signals
    std::vector<ValueRef> order;                      // one refresh, sources first

    // The clock, sped up so a day passes in config.day_length from the first reading.
    SimTime now() {
        const SimTime t = options.clock();
        if (!config.day_length) return t;
        if (!first_clock) first_clock = t;
        const double speed = 86400000.0 / static_cast<double>(config.day_length->count());
        const std::chrono::duration<double> real = t - *first_clock;
        return *first_clock + std::chrono::duration_cast<SimClock::duration>(real * speed);
    }

    const codec::Value& value(ValueRef r) const {
        if (r.owner < devices.size()) return devices[r.owner]->value(r.index);
        return signal_values[r.index];
    }

    // Owners by name and point, from the configuration (devices are made one by one, and
    // a term may read one made later).
    void collect_owners() {
        owners.clear();
        for (const auto& d : config.devices) {
            ValueOwner o{d.name, {}, {}};
            for (const auto& p : d.profile->points) o.names.push_back(p.name);
            o.specs.assign(o.names.size(), nullptr);
            owners.push_back(std::move(o));
        }
        ValueOwner signal_owner;
        for (const auto& sig : config.signals) signal_owner.names.push_back(sig.name);
        signal_owner.specs.assign(signal_owner.names.size(), nullptr);
        owners.push_back(std::move(signal_owner));
    }

    std::function<std::optional<double>()> term_reader(std::size_t from, const std::string& ref) {
        auto r = resolve_ref(owners, from, ref);
        if (!r) return {};
        return [this, at = *r] { return codec::to_double(value(at)); };
    }

    // With every generator made: the order of one refresh. Problems: what load_sim_config
    // would have refused (a configuration built another way).
    void order_values(std::vector<std::string>& problems) {
        for (std::size_t d = 0; d < devices.size(); ++d) {
            for (std::size_t i = 0; i < owners[d].names.size(); ++i)
                owners[d].specs[i] = devices[d]->generator_spec(i);
        }
        for (std::size_t i = 0; i < config.signals.size(); ++i)
            owners.back().specs[i] = &config.signals[i].generator;
        auto result = sim::order_values(owners);
        order = std::move(result.order);
        for (const auto& e : result.errors)
            problems.push_back(value_name(owners, e.at) + ": " + e.message);
    }

    server::UnitTables& unit_tables(std::size_t device) {
        const DeviceSpec& d = config.devices[device];
        return *tables[d.listener]->unit(d.unit);
    }

    std::vector<std::string> refresh() {
        last_refresh = now();
        std::vector<std::string> problems;
        for (const ValueRef& r : order) {
            if (r.owner < devices.size()) {
                devices[r.owner]->generate(r.index, last_refresh);
            } else {
                signal_values[r.index] = signals[r.index]->next(last_refresh);
            }
        }
        for (std::size_t i = 0; i < devices.size(); ++i)
            devices[i]->write(unit_tables(i), problems);
        for (const auto& p : problems) spdlog::warn("sim: {}", p);
        publish();
        return problems;
    }

    nlohmann::ordered_json snapshot() const {
        nlohmann::ordered_json out;
        out["ts"] = unix_ms(last_refresh);
        out["devices"] = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < devices.size(); ++i) out["devices"].push_back(device_json(i));
        if (!signals.empty()) {
            nlohmann::ordered_json values = nlohmann::ordered_json::object();
            for (std::size_t i = 0; i < signals.size(); ++i)
                values[config.signals[i].name] = poll::value_to_json(signal_values[i]);
            out["signals"] = std::move(values);
        }
        return out;
    }

    nlohmann::ordered_json device_json(std::size_t i) const {
        const SimDevice& d = *devices[i];
        const std::size_t l = config.devices[i].listener;
        nlohmann::ordered_json j;
        j["name"] = d.name();
        j["unit"] = d.unit();
        j["profile"] = d.profile_ref();
        j["listen"] = l < bound.size() && !bound[l].empty()
                          ? bound[l]
                          : config.listeners[l].address.to_string();
        nlohmann::ordered_json values = nlohmann::ordered_json::object();
        const auto& points = d.points();
        const auto& intended = d.intended();
        for (std::size_t p = 0; p < points.size() && p < intended.size(); ++p) {
            values[points[p].name] = poll::value_to_json(intended[p]);
        }
        j["values"] = std::move(values);
        return j;
    }

    static std::string dump(const nlohmann::ordered_json& j) {
        return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }

    void publish() const {
        if (!options.dump_path.empty()) write_dump(dump(snapshot()));
        if (running) print_values();
    }

    void print_values() const {
        if (options.print_values) {
            std::string lines;
            for (std::size_t i = 0; i < devices.size(); ++i) {
                auto j = device_json(i);
                nlohmann::ordered_json line;
                line["ts"] = unix_ms(last_refresh);
                for (auto& [key, value] : j.items()) line[key] = value;
                lines += dump(line) + "\n";
            }
            std::fwrite(lines.data(), 1, lines.size(), stdout);
            std::fflush(stdout);
        }
    }

    // Readers never see half a file: write aside, then rename over.
    void write_dump(const std::string& text) const {
        const std::string temp = options.dump_path + ".tmp";
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out << text << "\n";
            if (!out) {
                spdlog::warn("sim: cannot write {}", temp);
                return;
            }
        }
        std::error_code ec;
        std::filesystem::rename(temp, options.dump_path, ec);
        if (ec)
            spdlog::warn("sim: cannot rename {} to {}: {}", temp, options.dump_path, ec.message());
    }

    void arm_timer() {
        timer.expires_after(config.refresh);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec || !running) return;
            refresh();
            arm_timer();
        });
    }

    server::ServeOptions serve_options(std::size_t listener, bool tcp_framing) const {
        const ListenerSpec& l = config.listeners[listener];
        server::ServeOptions serve;
        serve.unknown_unit =
            tcp_framing ? server::UnknownUnit::gateway_target_failed : server::UnknownUnit::silent;
        serve.broadcast = !tcp_framing;
        std::uint16_t limit = modbus::max_read_registers;
        for (const auto& d : config.devices) {
            if (d.listener == listener) limit = std::min(limit, d.profile->limits.max_registers);
        }
        serve.limits.max_read_registers = l.max_registers.value_or(limit);
        return serve;
    }

    bool profile_wants_single_connection(std::size_t listener) const {
        return std::any_of(config.devices.begin(), config.devices.end(), [&](const DeviceSpec& d) {
            return d.listener == listener && d.profile->limits.single_connection;
        });
    }

    Expected<std::string, std::string> start_listener(std::size_t i) {
        const ListenerSpec& l = config.listeners[i];
        const ListenAddress& a = l.address;
        std::error_code ec;
        if (a.serial) {
            server::SerialServerOptions o;
            o.device = a.device;
            o.baud = a.baud;
            o.parity = a.parity;
            o.data_bits = a.data_bits;
            o.stop_bits = a.stop_bits;
            o.framing = a.framing;
            o.serve = serve_options(i, false);
            o.faults = l.faults;
            o.fault_seed = config.seed + i;
            auto& s =
                serial.emplace_back(std::make_unique<server::SerialServer>(io, *tables[i], o));
            s->set_failure_handler([this, device = a.device](std::error_code error) {
                if (on_failure) on_failure(device + ": " + error.message());
            });
            ec = s->start();
            if (ec) return Unexpected{a.to_string() + ": " + ec.message()};
            bound[i] = a.to_string();
            return a.device;
        }
        server::TcpServerOptions o;
        o.host = a.host;
        o.port = a.port;
        o.framing = a.framing;
        o.single_connection = l.single_connection.value_or(profile_wants_single_connection(i));
        o.serve = serve_options(i, a.framing == modbus::Framing::mbap);
        o.faults = l.faults;
        o.fault_seed = config.seed + i;
        auto& s = tcp.emplace_back(std::make_unique<server::TcpServer>(io, *tables[i], o));
        ec = s->start();
        if (ec) return Unexpected{a.to_string() + ": " + ec.message()};
        ListenAddress real = a;
        real.port = s->port();
        bound[i] = real.to_string();
        return std::to_string(s->port());
    }

    void stop() {
        running = false;
        timer.cancel();
        for (auto& s : tcp) s->stop();
        for (auto& s : serial) s->stop();
    }
};

Simulation::Simulation(asio::io_context& io, SimConfig config, SimulationOptions options)
    : state_(std::make_unique<State>(io, std::move(config), std::move(options))) {}

Simulation::~Simulation() {
    if (state_) state_->stop();
}

std::vector<std::string> Simulation::prepare() {
    State& s = *state_;
    s.tables.clear();
    s.devices.clear();
    for (std::size_t i = 0; i < s.config.listeners.size(); ++i)
        s.tables.push_back(std::make_unique<server::DataTables>());
    s.bound.assign(s.config.listeners.size(), {});
    s.collect_owners();
    for (std::size_t i = 0; i < s.config.devices.size(); ++i) {
        const DeviceSpec& spec = s.config.devices[i];
        const TermResolver resolve = [&s, i](const std::string& ref) {
            return s.term_reader(i, ref);
        };
        s.devices.push_back(std::make_unique<SimDevice>(spec, s.options.zone,
                                                        s.config.seed * 1000003 + i, resolve));
        s.devices.back()->attach(s.tables[spec.listener]->add_unit(spec.unit));
    }
    s.signals.clear();
    for (std::size_t i = 0; i < s.config.signals.size(); ++i) {
        GeneratorContext context;
        context.zone = s.options.zone;
        auto engine = std::make_shared<std::mt19937_64>(s.config.seed * 1000003 + 999983 + i);
        context.random = [engine] { return std::generate_canonical<double, 53>(*engine); };
        const GeneratorSpec& g = s.config.signals[i].generator;
        for (const auto& term : g.terms)
            context.terms.push_back(s.term_reader(s.owners.size() - 1, term.ref));
        if (g.kind == GeneratorKind::energy)
            context.source = s.term_reader(s.owners.size() - 1, g.source);
        s.signals.push_back(make_generator(g, std::move(context)));
    }
    s.signal_values.assign(s.signals.size(), std::monostate{});
    std::vector<std::string> problems;
    s.order_values(problems);
    if (!problems.empty()) return problems;
    // SunSpec chains hold still: their registers are written once, and a client's writes stick.
    for (const auto& chain : s.config.sunspec) {
        s.tables[chain.listener]
            ->add_unit(chain.unit)
            .set_registers(modbus::RegisterKind::holding, chain.base, chain.registers);
    }
    return s.refresh();
}

Expected<std::vector<std::string>, std::string> Simulation::start() {
    State& s = *state_;
    std::vector<std::string> ready;
    for (std::size_t i = 0; i < s.config.listeners.size(); ++i) {
        auto r = s.start_listener(i);
        if (!r) {
            s.stop();
            return Unexpected{r.error()};
        }
        ready.push_back(*r);
    }
    if (!s.options.dump_path.empty())
        s.write_dump(State::dump(s.snapshot()));  // now with the bound ports
    s.running = true;
    if (!s.options.freeze) s.arm_timer();
    return ready;
}

std::vector<std::string> Simulation::refresh() {
    return state_->refresh();
}

void Simulation::stop() {
    state_->stop();
}

void Simulation::print_values() const {
    state_->print_values();
}

void Simulation::set_failure_handler(std::function<void(const std::string&)> handler) {
    state_->on_failure = std::move(handler);
}

nlohmann::ordered_json Simulation::snapshot() const {
    return state_->snapshot();
}

std::vector<std::string> Simulation::plan() const {
    const State& s = *state_;
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < s.devices.size(); ++i) {
        const SimDevice& d = *s.devices[i];
        const ListenerSpec& l = s.config.listeners[s.config.devices[i].listener];
        lines.push_back(d.name() + " (" + d.profile_ref() + ") unit " + std::to_string(d.unit()) +
                        " on " + l.address.to_string() + ": " + std::to_string(d.points().size()) +
                        " points");
        for (auto& line : d.plan()) lines.push_back("  " + line);
    }
    for (const auto& sig : s.config.signals)
        lines.push_back("signal " + sig.name + ": " + describe(sig.generator));
    if (s.config.day_length)
        lines.push_back("a simulated day lasts " + format_duration(*s.config.day_length));
    for (const auto& c : s.config.sunspec) {
        lines.push_back("SunSpec chain (" + c.description + ") unit " + std::to_string(c.unit) +
                        " on " + s.config.listeners[c.listener].address.to_string() + ": " +
                        std::to_string(c.registers.size()) + " registers from " +
                        std::to_string(c.base));
    }
    return lines;
}

server::ServerStats Simulation::stats() const {
    server::ServerStats total;
    for (const auto& t : state_->tcp) total += t->stats();
    for (const auto& t : state_->serial) total += t->stats();
    return total;
}

}  // namespace regpoll::sim
