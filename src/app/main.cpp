// The regpoll command line. Argument parsing lives here only; each subcommand is a
// function over a plain struct (commands.hpp).
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "app/probe_command.hpp"
#include "app/session.hpp"

namespace {

using regpoll::app::LinkArgs;

void add_link_options(CLI::App* cmd, LinkArgs& link, const std::string& default_timeout) {
    link.timeout = default_timeout;
    cmd->add_option("uri", link.uri, "Device or bus, e.g. tcp://192.168.1.10:502")->required();
    cmd->add_option("-u,--unit", link.unit, "Unit id (slave address), 0-255")->capture_default_str();
    cmd->add_option("-t,--timeout", link.timeout, "Response timeout, e.g. 500ms, 1s")
        ->capture_default_str();
    cmd->add_flag("-d,--debug", link.debug, "Dump every frame sent and received on stderr");
}

const char* register_help = "Register table: holding, input, coil or discrete";
const char* order_help = "Byte/word order of multi-register values: ABCD, BADC, CDAB, DCBA";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"regpoll: Modbus poller, reader, writer and scanner"};
    app.set_version_flag("--version", REGPOLL_VERSION);
    app.require_subcommand(1);

    regpoll::app::ReadArgs read;
    auto* read_cmd = app.add_subcommand("read", "Read registers or bits and decode them");
    add_link_options(read_cmd, read.link, "1s");
    read_cmd->add_option("-r,--register", read.register_kind, register_help)->capture_default_str();
    read_cmd->add_option("-a,--address", read.address, "0-based protocol address")->required();
    read_cmd->add_option("-c,--count", read.count, "Number of values of --type")->capture_default_str();
    read_cmd->add_option("-T,--type", read.type, "Value type (default uint16; bool for bits)");
    read_cmd->add_option("-o,--order", read.order, order_help)->capture_default_str();
    read_cmd->add_option("-s,--scale", read.scale, "Multiply decoded values by this")->capture_default_str();
    read_cmd->add_option("--offset", read.offset, "Add this after scaling")->capture_default_str();
    read_cmd->add_option("-l,--length", read.length, "Registers per string value")->capture_default_str();
    read_cmd->add_option("--byte", read.byte, "int8/uint8: high or low byte")->capture_default_str();
    read_cmd->add_flag("-j,--json", read.json, "Print one JSON object");

    regpoll::app::ProbeArgs probe;
    auto* probe_cmd = app.add_subcommand("probe", "Read registers once and show every type and order side by side");
    add_link_options(probe_cmd, probe.link, "1s");
    probe_cmd->add_option("-r,--register", probe.register_kind, "Register table: holding or input")
        ->capture_default_str();
    probe_cmd->add_option("-a,--address", probe.address, "0-based protocol address")->required();
    probe_cmd->add_option("-c,--count", probe.count, "Registers to read (1-125)")->capture_default_str();
    probe_cmd->add_flag("-j,--json", probe.json, "Print one JSON object");

    regpoll::app::IdentifyArgs identify;
    auto* identify_cmd = app.add_subcommand(
        "identify", "Which profiles fit the device: their identify checks, FC43 and SunSpec model 1");
    add_link_options(identify_cmd, identify.link, "1s");
    identify_cmd->add_option("-p,--profile", identify.profiles,
                             "Try only this profile (library name or .json file; repeatable)");
    identify_cmd->add_flag("-j,--json", identify.json, "Print one JSON object");

    regpoll::app::WriteArgs write;
    auto* write_cmd = app.add_subcommand("write", "Encode values and write them (to an address, or to a point of a site config with -c)");
    write.link.timeout = "1s";
    write_cmd->add_option("uri", write.link.uri, "Device or bus, e.g. tcp://192.168.1.10:502 (not with -c)");
    write_cmd->add_option("-u,--unit", write.link.unit, "Unit id (slave address), 0-255")->capture_default_str();
    write_cmd->add_option("-t,--timeout", write.link.timeout, "Response timeout (default 1s; with -c the bus's)");
    write_cmd->add_flag("-d,--debug", write.link.debug, "Dump every frame sent and received on stderr");
    write_cmd->add_option("-c,--config", write.config, "Site configuration: write --point of --device through its profile");
    write_cmd->add_option("--device", write.device, "With -c: the device's name");
    write_cmd->add_option("--point", write.point, "With -c: the point's name");
    write_cmd->add_option("--wait", write.wait,
                          "With -c, a device behind a Shine datalogger: how long to wait for it to dial in")
        ->capture_default_str();
    write_cmd->add_option("-r,--register", write.register_kind, "holding or coil")->capture_default_str();
    write_cmd->add_option("-a,--address", write.address, "0-based protocol address");
    write_cmd->add_option("-T,--type", write.type, "Value type (default uint16; bool for coils)");
    write_cmd->add_option("-o,--order", write.order, order_help)->capture_default_str();
    write_cmd->add_option("-s,--scale", write.scale, "The scale the value is read with; written as value/scale")
        ->capture_default_str();
    write_cmd->add_option("--offset", write.offset, "The offset the value is read with")->capture_default_str();
    write_cmd->add_option("-l,--length", write.length, "Registers per string (default: as the text needs)");
    write_cmd->add_option("--byte", write.byte, "int8/uint8: high or low byte")->capture_default_str();
    write_cmd->add_flag("-m,--multiple", write.multiple, "Always use FC15/FC16, even for one item");
    write_cmd->add_flag("-j,--json", write.json, "Print one JSON object");
    write_cmd->add_option("values", write.values, "Values to write, one per item (with -c: one value)");

    regpoll::app::ScanArgs scan;
    auto* scan_cmd = app.add_subcommand("scan", "Find the unit ids that answer on a bus");
    add_link_options(scan_cmd, scan.link, "300ms");
    scan_cmd->add_option("--units", scan.units, "Unit ids to try, e.g. 1-247 or 1,2,10-20")
        ->capture_default_str();
    scan_cmd->add_option("-r,--register", scan.register_kind, register_help)->capture_default_str();
    scan_cmd->add_option("-a,--address", scan.address, "Address of the probe read")->capture_default_str();
    scan_cmd->add_flag("!--no-identify", scan.identify, "Skip FC43/14 device identification");
    scan_cmd->add_flag("-j,--json", scan.json, "Print one JSON object");

    regpoll::app::DiscoverArgs discover;
    auto* discover_cmd = app.add_subcommand("discover", "Find a device's SunSpec models; print them or write a profile");
    add_link_options(discover_cmd, discover.link, "1s");
    auto* discover_units = discover_cmd->add_option(
        "--units", discover.units, "Unit ids to try: 1,2,126,200-204, or auto (1-3, 71, 126, 200-204, 240)");
    discover_units->excludes(discover_cmd->get_option("--unit"));
    discover_cmd->add_option("--base", discover.base, "Where \"SunS\" is: auto (40000, 50000, 0) or an address")
        ->capture_default_str();
    discover_cmd->add_option("--out", discover.out, "Write the discovered device as a regpoll profile to FILE");
    discover_cmd->add_flag("-j,--json", discover.json, "Print the whole tree as one JSON object");

    regpoll::app::RunArgs run;
    auto* run_cmd = app.add_subcommand("run", "Poll every device of a site configuration");
    run_cmd->add_option("-c,--config", run.config, "Site configuration (JSON, comments allowed)")->required();
    run_cmd->add_flag("--once", run.once, "Poll every device once and exit (0 when all answered)");
    run_cmd->add_option("--output", run.output, "Samples to stdout: jsonl, log, table (live, for a terminal) or none")->capture_default_str();
    run_cmd->add_option("--log-level", run.log_level, "trace, debug, info, warn, error")->capture_default_str();
    run_cmd->add_option("--http", run.http,
                        "Serve the API, /healthz and /metrics on ADDR (127.0.0.1:8080); overrides "
                        "the configuration's http listen")
        ->type_name("ADDR");
    run_cmd->add_option("--shard", run.shard,
                        "Poll only shard K of N (1/3, 2/3, 3/3): the devices rendezvous hashing gives it; "
                        "overrides the configuration's \"shard\"")
        ->type_name("K/N")
        ->envname("REGPOLL_SHARD");
    // -- health and status file (installation: systemd, Docker) --
    run_cmd->add_option("--status-file", run.status_file,
                        "Keep a status file for 'regpoll health' (default under systemd: "
                        "$RUNTIME_DIRECTORY/status.json)")
        ->envname("REGPOLL_STATUS_FILE");
    regpoll::app::HealthArgs health;
    auto* health_cmd = app.add_subcommand("health", "Exit 0 when regpoll run is polling, 1 when not (says why)");
    health_cmd->add_option("--status-file", health.status_file,
                           "The status file of regpoll run (default: $RUNTIME_DIRECTORY/status.json, "
                           "else /run/regpoll/status.json)")
        ->envname("REGPOLL_STATUS_FILE");
    health_cmd->add_option("--max-age", health.max_age,
                           "Unhealthy when the status or every device's last answer is older")
        ->capture_default_str();
    health_cmd->add_option("--shard", health.shard,
                           "Judge shard K of N: its status file status-K-N.json (when --status-file is not given)")
        ->type_name("K/N")
        ->envname("REGPOLL_SHARD");
    // -- end health --

    regpoll::app::ValidateArgs validate;
    auto* validate_cmd = app.add_subcommand("validate", "Check a configuration and print the request plan");
    validate_cmd->add_option("-c,--config", validate.config, "Site configuration")->required();
    validate_cmd->add_flag("-q,--quiet", validate.quiet, "Print errors only");
    validate_cmd->add_option("--shard", validate.shard,
                             "List and plan the devices shard K of N takes (overrides the configuration's \"shard\")")
        ->type_name("K/N")
        ->envname("REGPOLL_SHARD");

    regpoll::app::HistoryArgs history;
    auto* history_cmd = app.add_subcommand("history", "Print rows of a history database as CSV or JSON lines");
    auto* history_db = history_cmd->add_option("--db", history.db, "The history database (SQLite)");
    auto* history_pg = history_cmd->add_flag(
        "--pg", history.pg,
        "Read from PostgreSQL: the connection string from --pg-conninfo-file, $REGPOLL_PG or the config's postgres section");
    history_db->excludes(history_pg);
    history_cmd->add_option("--pg-conninfo-file", history.pg_conninfo_file, "A file holding the libpq connection string")
        ->needs(history_pg);
    history_cmd->add_option("-c,--config", history.config, "A site configuration with a postgres section")
        ->needs(history_pg);
    history_cmd->add_option("--device", history.devices, "Only this device (glob, e.g. inv*; repeatable)");
    history_cmd->add_option("--point", history.points, "Only this point (glob; repeatable)");
    history_cmd->add_option("--since", history.since, "From: 1h (back from now), 7d, now, 2026-11-20T10:00:00Z");
    history_cmd->add_option("--until", history.until, "Before: same forms as --since");
    history_cmd->add_option("--format", history.format, "csv or json (JSON lines)")->capture_default_str();
    history_cmd->add_option("--time", history.time, "ts as ms (Unix milliseconds) or iso (UTC)")
        ->capture_default_str();

    regpoll::app::SimulateArgs simulate;
    auto* sim_cmd = app.add_subcommand("simulate", "Serve simulated devices, with faults on purpose");
    auto* sim_config = sim_cmd->add_option("-c,--config", simulate.config,
                                           "sim.json: several devices and listeners");
    const auto rate = CLI::Range(0.0, 1.0);
    // One device from the flags, or a sim.json: never both.
    const std::vector<CLI::Option*> sim_one_device{
        sim_cmd->add_option("-p,--profile", simulate.profile,
                            "Profile: library name (growatt/min-tl-x) or .json file"),
        sim_cmd->add_option("-u,--unit", simulate.unit, "Unit id of the device")
            ->check(CLI::Range(0, 255))
            ->capture_default_str(),
        sim_cmd->add_option("--listen", simulate.listen,
                            "tcp://HOST:PORT, rtu+tcp://, ascii+tcp://, rtu:///dev/X?baud=&parity=, "
                            "ascii:///dev/X")
            ->capture_default_str(),
        sim_cmd->add_option("--delay", simulate.delay, "Every reply this late, e.g. 20ms"),
        sim_cmd->add_option("--jitter", simulate.jitter, "... plus up to this much, e.g. 5ms"),
        sim_cmd->add_option("--drop-rate", simulate.drop_rate, "Share of requests never answered")
            ->check(rate),
        sim_cmd->add_option("--corrupt-rate", simulate.corrupt_rate,
                            "Share of replies with a broken CRC/LRC")
            ->check(rate),
        sim_cmd->add_option("--exception-rate", simulate.exception_rate, "Share of requests refused")
            ->check(rate),
        sim_cmd->add_option("--exception-code", simulate.exception_code,
                            "Exception code of the refusals (6: busy)")
            ->check(CLI::Range(1, 255)),
        sim_cmd->add_option("--disconnect-rate", simulate.disconnect_rate,
                            "Share of requests that close the connection")
            ->check(rate),
        sim_cmd->add_option("--max-registers", simulate.max_registers,
                            "Registers per read (default: the profile's limit)")
            ->check(CLI::Range(1, 125)),
        sim_cmd->add_flag("--single-connection", simulate.single_connection,
                          "A new client drops the old one (default: as the profile says)"),
        sim_cmd->add_flag("--no-single-connection", simulate.no_single_connection,
                          "Any number of clients"),
    };
    for (auto* option : sim_one_device) option->excludes(sim_config);
    sim_cmd->add_option("--refresh", simulate.refresh, "How often values move (default 1s)");
    sim_cmd->add_option("--seconds", simulate.seconds, "Exit after this long (0: at SIGINT/SIGTERM)")
        ->check(CLI::NonNegativeNumber);
    sim_cmd->add_option("--seed", simulate.seed, "Random walks, noise and faults replay per seed")
        ->check(CLI::NonNegativeNumber);
    sim_cmd->add_flag("--freeze", simulate.freeze, "Values stay as first generated");
    sim_cmd->add_option("--dump", simulate.dump,
                        "Write the intended values as JSON to this file on every refresh");
    sim_cmd->add_flag("--print-values", simulate.print_values,
                      "Print the intended values as JSON lines on every refresh");
    sim_cmd->add_option("--speed", simulate.speed, "Simulated seconds per real second, e.g. 60")
        ->check(CLI::PositiveNumber);
    sim_cmd->add_option("--start-time", simulate.start_time,
                        "Simulated local time of day to start at, e.g. 12:00");
    sim_cmd->add_option("--log-level", simulate.log_level, "trace, debug, info, warn, error")
        ->capture_default_str();
    auto* sim_shine = sim_cmd->add_option(
        "--shine", simulate.shine,
        "Play a Growatt Shine datalogger dialling this server (tcp://host:port) instead of serving Modbus");
    sim_shine->excludes(sim_config);
    sim_cmd->add_option("--datalogger", simulate.datalogger, "The simulated datalogger's serial")
        ->capture_default_str()->needs(sim_shine);
    sim_cmd->add_option("--inverter", simulate.inverter, "The simulated inverter's serial")
        ->capture_default_str()->needs(sim_shine);
    sim_cmd->add_option("--shine-protocol", simulate.shine_protocol, "Shine protocol: 2, 5 or 6")
        ->capture_default_str()->needs(sim_shine);
    sim_cmd->add_option("--upload-interval", simulate.upload_interval, "How often the datalogger sends")
        ->capture_default_str()->needs(sim_shine);
    sim_cmd->add_option("--sticks", simulate.sticks,
                        "Shine: play this many sticks from one process, each its own inverter; the serials count "
                        "up from --datalogger and --inverter (SIMLOG0001, SIMLOG0002, ...)")
        ->capture_default_str()->check(CLI::Range(1, 10000))->needs(sim_shine);
    sim_cmd->add_option("--clock-skew", simulate.clock_skew,
                        "Shine: how far the datalogger's clock is off until the server sets it (2h ahead, -2h behind)")
        ->needs(sim_shine);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "regpoll: " << e.what() << "\n"
                  << "Run 'regpoll " << (app.get_subcommands().empty() ? "" : app.get_subcommands()[0]->get_name() + " ")
                  << "--help' for the options.\n";
        return regpoll::app::exit_usage;
    }

    if (read_cmd->parsed()) return regpoll::app::run_read(read);
    if (probe_cmd->parsed()) return regpoll::app::run_probe(probe);
    if (identify_cmd->parsed()) {
        identify.unit_given = identify_cmd->count("--unit") > 0;
        return regpoll::app::run_identify(identify);
    }
    if (write_cmd->parsed()) {
        // Positionals fill "uri" first: with -c there is none, so it holds the value.
        if (!write.config.empty()) {
            if (!write.link.uri.empty()) write.values.insert(write.values.begin(), write.link.uri);
            write.link.uri.clear();
            for (const char* name : {"--register", "--address", "--type", "--order", "--scale", "--offset", "--length",
                                     "--byte", "--multiple", "--unit"}) {
                if (write_cmd->count(name) > 0) write.raw_options.push_back(name);
            }
            return regpoll::app::run_write_point(write);
        }
        for (const char* name : {"--device", "--point"}) {
            if (write_cmd->count(name) > 0) {
                std::cerr << "regpoll: " << name << " goes with -c (a site configuration)\n";
                return regpoll::app::exit_usage;
            }
        }
        if (write.link.uri.empty() || write_cmd->count("--address") == 0 || write.values.empty()) {
            std::cerr << "regpoll: write needs a URI, --address and values (or -c CONFIG --device D --point P VALUE)\n"
                      << "Run 'regpoll write --help' for the options.\n";
            return regpoll::app::exit_usage;
        }
        return regpoll::app::run_write(write);
    }
    if (scan_cmd->parsed()) return regpoll::app::run_scan(scan);
    if (discover_cmd->parsed()) return regpoll::app::run_discover(discover);
    if (run_cmd->parsed()) return regpoll::app::run_run(run);
    if (validate_cmd->parsed()) return regpoll::app::run_validate(validate);
    if (history_cmd->parsed()) return regpoll::app::run_history(history);
    if (sim_cmd->parsed()) return regpoll::app::run_simulate(simulate);
    if (health_cmd->parsed()) return regpoll::app::run_health(health);
    return regpoll::app::exit_usage;
}
