// The regpoll command line. Argument parsing lives here only; each subcommand is a
// function over a plain struct (commands.hpp).
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
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

    regpoll::app::WriteArgs write;
    auto* write_cmd = app.add_subcommand("write", "Encode values and write them");
    add_link_options(write_cmd, write.link, "1s");
    write_cmd->add_option("-r,--register", write.register_kind, "holding or coil")->capture_default_str();
    write_cmd->add_option("-a,--address", write.address, "0-based protocol address")->required();
    write_cmd->add_option("-T,--type", write.type, "Value type (default uint16; bool for coils)");
    write_cmd->add_option("-o,--order", write.order, order_help)->capture_default_str();
    write_cmd->add_option("-s,--scale", write.scale, "The scale the value is read with; written as value/scale")
        ->capture_default_str();
    write_cmd->add_option("--offset", write.offset, "The offset the value is read with")->capture_default_str();
    write_cmd->add_option("-l,--length", write.length, "Registers per string (default: as the text needs)");
    write_cmd->add_option("--byte", write.byte, "int8/uint8: high or low byte")->capture_default_str();
    write_cmd->add_flag("-m,--multiple", write.multiple, "Always use FC15/FC16, even for one item");
    write_cmd->add_flag("-j,--json", write.json, "Print one JSON object");
    write_cmd->add_option("values", write.values, "Values to write, one per item")->required();

    regpoll::app::ScanArgs scan;
    auto* scan_cmd = app.add_subcommand("scan", "Find the unit ids that answer on a bus");
    add_link_options(scan_cmd, scan.link, "300ms");
    scan_cmd->add_option("--units", scan.units, "Unit ids to try, e.g. 1-247 or 1,2,10-20")
        ->capture_default_str();
    scan_cmd->add_option("-r,--register", scan.register_kind, register_help)->capture_default_str();
    scan_cmd->add_option("-a,--address", scan.address, "Address of the probe read")->capture_default_str();
    scan_cmd->add_flag("!--no-identify", scan.identify, "Skip FC43/14 device identification");
    scan_cmd->add_flag("-j,--json", scan.json, "Print one JSON object");

    regpoll::app::RunArgs run;
    auto* run_cmd = app.add_subcommand("run", "Poll every device of a site configuration");
    run_cmd->add_option("-c,--config", run.config, "Site configuration (JSON, comments allowed)")->required();
    run_cmd->add_flag("--once", run.once, "Poll every device once and exit (0 when all answered)");
    run_cmd->add_option("--output", run.output, "Samples to stdout: jsonl, log or none")->capture_default_str();
    run_cmd->add_option("--log-level", run.log_level, "trace, debug, info, warn, error")->capture_default_str();

    regpoll::app::ValidateArgs validate;
    auto* validate_cmd = app.add_subcommand("validate", "Check a configuration and print the request plan");
    validate_cmd->add_option("-c,--config", validate.config, "Site configuration")->required();
    validate_cmd->add_flag("-q,--quiet", validate.quiet, "Print errors only");

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
    if (write_cmd->parsed()) return regpoll::app::run_write(write);
    if (scan_cmd->parsed()) return regpoll::app::run_scan(scan);
    if (run_cmd->parsed()) return regpoll::app::run_run(run);
    if (validate_cmd->parsed()) return regpoll::app::run_validate(validate);
    return regpoll::app::exit_usage;
}
