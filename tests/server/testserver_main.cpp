// regpoll-testserver: the regpoll_server library as a process, for integration tests and
// benchmarks. Prints one line "READY <port or device> ..." (one value per --listen) to
// stdout once every listener is up; nothing else goes to stdout. SIGTERM / SIGINT or
// --seconds end it with status 0; status 1: a listener failed; status 2: bad arguments.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/serial_server.hpp"
#include "server/tcp_server.hpp"
#include "values_file.hpp"

namespace {

using namespace regpoll::server;
namespace modbus = regpoll::modbus;
namespace asio = boost::asio;

struct Listen {
    modbus::Framing framing = modbus::Framing::mbap;
    bool serial = false;
    std::string host;
    std::uint16_t port = 0;
    std::string device;
    unsigned baud = 19200;
    char parity = 'E';
    unsigned data_bits = 8;
    unsigned stop_bits = 1;
};

unsigned to_unsigned(const std::string& text, const std::string& what) {
    std::size_t used = 0;
    unsigned long v = 0;
    try {
        v = std::stoul(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size())
        throw std::runtime_error(what + ": \"" + text + "\" is not a number");
    return static_cast<unsigned>(v);
}

// tcp://HOST:PORT, rtu+tcp://HOST:PORT, ascii+tcp://HOST:PORT, rtu:///DEV?baud=..&parity=N,
// ascii:///DEV?...; PORT 0 lets the system pick one.
Listen parse_listen(const std::string& uri) {
    const auto sep = uri.find("://");
    if (sep == std::string::npos) throw std::runtime_error("--listen " + uri + ": not a URI");
    const std::string scheme = uri.substr(0, sep);
    std::string rest = uri.substr(sep + 3);
    Listen l;
    if (scheme == "rtu" || scheme == "ascii") {
        l.serial = true;
        l.framing = scheme == "rtu" ? modbus::Framing::rtu : modbus::Framing::ascii;
        std::string query;
        if (auto q = rest.find('?'); q != std::string::npos) {
            query = rest.substr(q + 1);
            rest = rest.substr(0, q);
        }
        l.device = rest;
        std::istringstream items(query);
        std::string item;
        while (std::getline(items, item, '&')) {
            const auto eq = item.find('=');
            const std::string key = item.substr(0, eq);
            const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
            if (key == "baud")
                l.baud = to_unsigned(value, uri);
            else if (key == "data")
                l.data_bits = to_unsigned(value, uri);
            else if (key == "stop")
                l.stop_bits = to_unsigned(value, uri);
            else if (key == "parity" && value.size() == 1 &&
                     std::string("NEO").find(value[0]) != std::string::npos)
                l.parity = value[0];
            else
                throw std::runtime_error("--listen " + uri + ": bad query item \"" + item + "\"");
        }
        if (l.device.empty() || l.device[0] != '/')
            throw std::runtime_error("--listen " + uri + ": no device path");
        return l;
    }
    if (scheme == "tcp")
        l.framing = modbus::Framing::mbap;
    else if (scheme == "rtu+tcp")
        l.framing = modbus::Framing::rtu;
    else if (scheme == "ascii+tcp")
        l.framing = modbus::Framing::ascii;
    else
        throw std::runtime_error("--listen " + uri +
                                 ": unknown scheme (tcp, rtu+tcp, ascii+tcp, rtu, ascii)");
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0)
        throw std::runtime_error("--listen " + uri + ": expected HOST:PORT");
    l.host = rest.substr(0, colon);
    if (l.host.size() > 2 && l.host.front() == '[' && l.host.back() == ']')
        l.host = l.host.substr(1, l.host.size() - 2);
    const unsigned port = to_unsigned(rest.substr(colon + 1), uri);
    if (port > 65535) throw std::runtime_error("--listen " + uri + ": port out of range");
    l.port = static_cast<std::uint16_t>(port);
    return l;
}

std::vector<std::uint8_t> parse_units(const std::string& text) {
    std::vector<std::uint8_t> units;
    std::istringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        if (part.empty()) continue;
        const auto dash = part.find('-');
        const unsigned low = to_unsigned(part.substr(0, dash), "--units");
        const unsigned high =
            dash == std::string::npos ? low : to_unsigned(part.substr(dash + 1), "--units");
        if (low > high || high > 255)
            throw std::runtime_error("--units: \"" + part + "\" is not within 0..255");
        for (unsigned u = low; u <= high; ++u) units.push_back(static_cast<std::uint8_t>(u));
    }
    if (units.empty()) throw std::runtime_error("--units: no unit ids");
    return units;
}

struct Args {
    std::vector<std::string> listen{"tcp://127.0.0.1:0"};
    std::string units = "1";
    bool overlaid = false;
    std::string values_path;
    std::string unknown_unit;  // default: gateway-target on MBAP, silent otherwise
    std::string broadcast = "auto";
    std::map<std::string, std::string> identity{
        {"vendor", "regpoll-test"}, {"product-code", "REGPOLL"}, {"revision", "1.0"},
        {"vendor-url", ""},         {"product-name", ""},        {"model-name", ""},
        {"user-app-name", ""}};
    std::vector<std::string> objects;  // ID=TEXT
    long delay_ms = 0;
    long jitter_ms = 0;
    double drop_rate = 0;
    double corrupt_rate = 0;
    double exception_rate = 0;
    unsigned exception_code = 6;
    double disconnect_rate = 0;
    std::uint64_t seed = 1;
    unsigned max_read_registers = 125;
    bool single_connection = false;
    std::size_t max_connections = 0;
    double seconds = 120;
};

void apply_identity(const Args& a, DataTables& tables) {
    const std::pair<const char*, ObjectId> names[] = {
        {"vendor", ObjectId::vendor_name},
        {"product-code", ObjectId::product_code},
        {"revision", ObjectId::major_minor_revision},
        {"vendor-url", ObjectId::vendor_url},
        {"product-name", ObjectId::product_name},
        {"model-name", ObjectId::model_name},
        {"user-app-name", ObjectId::user_application_name}};
    for (std::uint8_t id : tables.unit_ids()) {
        DeviceIdentity& identity = tables.unit(id)->identity();
        for (const auto& [flag, object] : names) identity.set_object(object, a.identity.at(flag));
        for (const std::string& spec : a.objects) {
            const auto eq = spec.find('=');
            if (eq == std::string::npos)
                throw std::runtime_error("--object " + spec + ": expected ID=TEXT");
            const unsigned long oid = std::stoul(spec.substr(0, eq), nullptr, 0);
            if (oid > 255) throw std::runtime_error("--object " + spec + ": id above 255");
            identity.set_object(static_cast<std::uint8_t>(oid), spec.substr(eq + 1));
        }
    }
}

ServeOptions serve_options(const Args& a, const Listen& l) {
    ServeOptions s;
    const std::string unknown =
        a.unknown_unit.empty() ? (l.framing == modbus::Framing::mbap ? "gateway-target" : "silent")
                               : a.unknown_unit;
    s.unknown_unit = unknown == "silent"         ? UnknownUnit::silent
                     : unknown == "gateway-path" ? UnknownUnit::gateway_path_unavailable
                                                 : UnknownUnit::gateway_target_failed;
    s.broadcast =
        a.broadcast == "on" || (a.broadcast == "auto" && l.framing != modbus::Framing::mbap);
    s.limits.max_read_registers = static_cast<std::uint16_t>(a.max_read_registers);
    return s;
}

FaultSettings faults(const Args& a) {
    FaultSettings f;
    f.delay = Milliseconds(a.delay_ms);
    f.jitter = Milliseconds(a.jitter_ms);
    f.drop_rate = a.drop_rate;
    f.corrupt_rate = a.corrupt_rate;
    f.exception_rate = a.exception_rate;
    f.exception_code = static_cast<modbus::Errc>(a.exception_code);
    f.disconnect_rate = a.disconnect_rate;
    return f;
}

void add_options(CLI::App& app, Args& a) {
    app.add_option("--listen", a.listen,
                   "tcp://HOST:PORT, rtu+tcp://, ascii+tcp://, "
                   "rtu:///DEV?baud=&parity=&data=&stop=, ascii:///DEV (repeatable)");
    app.add_option("--units", a.units, "served unit ids, e.g. 1,2,5-7");
    app.add_flag("--overlaid", a.overlaid, "one table: bits packed into registers");
    app.add_option("--values", a.values_path, "JSON values file (modbus_peer.py format)");
    app.add_option("--unknown-unit", a.unknown_unit, "silent, gateway-path or gateway-target")
        ->check(CLI::IsMember({"silent", "gateway-path", "gateway-target"}));
    app.add_option("--broadcast", a.broadcast,
                   "unit 0 is broadcast: on, off, auto (serial framings)")
        ->check(CLI::IsMember({"on", "off", "auto"}));
    for (auto& [flag, value] : a.identity) app.add_option("--" + flag, value, "FC43 object");
    app.add_option("--object", a.objects, "extra FC43 object ID=TEXT (repeatable)");
    app.add_option("--delay-ms", a.delay_ms)->check(CLI::NonNegativeNumber);
    app.add_option("--jitter-ms", a.jitter_ms)->check(CLI::NonNegativeNumber);
    app.add_option("--drop-rate", a.drop_rate)->check(CLI::Range(0.0, 1.0));
    app.add_option("--corrupt-rate", a.corrupt_rate)->check(CLI::Range(0.0, 1.0));
    app.add_option("--exception-rate", a.exception_rate)->check(CLI::Range(0.0, 1.0));
    app.add_option("--exception-code", a.exception_code)->check(CLI::Range(1, 255));
    app.add_option("--disconnect-rate", a.disconnect_rate)->check(CLI::Range(0.0, 1.0));
    app.add_option("--seed", a.seed);
    app.add_option("--max-read-registers", a.max_read_registers)->check(CLI::Range(1, 125));
    app.add_flag("--single-connection", a.single_connection, "a new client drops the old one");
    app.add_option("--max-connections", a.max_connections);
    app.add_option("--seconds", a.seconds, "exit after this long; 0: no limit")
        ->check(CLI::NonNegativeNumber);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Modbus server for regpoll's tests and benchmarks"};
    Args a;
    add_options(app, a);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // --help is not an error; bad arguments are status 2
    }

    asio::io_context io;
    DataTables tables;
    std::vector<Listen> listens;
    try {
        for (const auto& uri : a.listen) listens.push_back(parse_listen(uri));
        const auto units = parse_units(a.units);
        nlohmann::json values = testserver::default_values();
        std::string source = "built-in values";
        if (!a.values_path.empty()) {
            std::ifstream in(a.values_path);
            if (!in) throw std::runtime_error("cannot read values file " + a.values_path);
            values = nlohmann::json::parse(in);
            source = a.values_path;
        }
        std::vector<std::string> warnings;
        testserver::load_values(values, source, units,
                                a.overlaid ? TableLayout::overlaid : TableLayout::separate, tables,
                                warnings);
        for (const auto& w : warnings) std::cerr << "regpoll-testserver: warning: " << w << "\n";
        apply_identity(a, tables);
    } catch (const std::exception& e) {
        std::cerr << "regpoll-testserver: " << e.what() << "\n";
        return 2;
    }

    int status = 0;
    std::vector<std::unique_ptr<TcpServer>> tcp_servers;
    std::vector<std::unique_ptr<SerialServer>> serial_servers;
    auto stop_all = [&] {
        for (auto& s : tcp_servers) s->stop();
        for (auto& s : serial_servers) s->stop();
        io.stop();
    };
    std::string ready = "READY";
    for (std::size_t i = 0; i < listens.size(); ++i) {
        const Listen& l = listens[i];
        std::error_code ec;
        if (l.serial) {
            SerialServerOptions o;
            o.device = l.device;
            o.baud = l.baud;
            o.parity = l.parity;
            o.data_bits = l.data_bits;
            o.stop_bits = l.stop_bits;
            o.framing = l.framing;
            o.serve = serve_options(a, l);
            o.faults = faults(a);
            o.fault_seed = a.seed + i;
            auto& server =
                serial_servers.emplace_back(std::make_unique<SerialServer>(io, tables, o));
            server->set_failure_handler([&, device = l.device](std::error_code error) {
                std::cerr << "regpoll-testserver: " << device << ": " << error.message() << "\n";
                status = 1;
                stop_all();
            });
            ec = server->start();
            ready += " " + l.device;
        } else {
            TcpServerOptions o;
            o.host = l.host;
            o.port = l.port;
            o.framing = l.framing;
            o.single_connection = a.single_connection;
            o.max_connections = a.max_connections;
            o.serve = serve_options(a, l);
            o.faults = faults(a);
            o.fault_seed = a.seed + i;
            auto& server = tcp_servers.emplace_back(std::make_unique<TcpServer>(io, tables, o));
            ec = server->start();
            ready += " " + std::to_string(server->port());
        }
        if (ec) {
            std::cerr << "regpoll-testserver: " << a.listen[i] << ": " << ec.message() << "\n";
            return 1;
        }
    }

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) stop_all();
    });
    asio::steady_timer limit(io);
    if (a.seconds > 0) {
        limit.expires_after(std::chrono::milliseconds(static_cast<long>(a.seconds * 1000)));
        limit.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) stop_all();
        });
    }
    std::cout << ready << std::endl;
    io.run();

    ServerStats total;
    for (auto& s : tcp_servers) total += s->stats();
    for (auto& s : serial_servers) total += s->stats();
    std::cerr << "regpoll-testserver: " << total.requests << " requests, " << total.replies
              << " replies (" << total.exceptions << " exceptions), " << total.unanswered
              << " unanswered, " << total.bad_frames << " bad frames, " << total.connections
              << " connections, " << total.injected_faults << " injected faults\n";
    return status;
}
