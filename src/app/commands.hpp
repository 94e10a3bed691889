#pragma once
// The one-shot commands, each a function over plain option structs; main.cpp owns the
// argument parsing (CLI11 stays in one translation unit). Each returns the process exit
// code: 0 success, 1 communication or device error, 2 usage error.
#include <string>
#include <vector>

namespace regpoll::app {

// Options every command that talks to a device shares.
struct LinkArgs {
    std::string uri;
    int unit = 1;
    std::string timeout = "1s";
    bool debug = false;
};

struct ReadArgs {
    LinkArgs link;
    std::string register_kind = "holding";
    int address = 0;
    int count = 1;
    std::string type;  // default: uint16 for registers, bool for bits
    std::string order = "ABCD";
    double scale = 1.0;
    double offset = 0.0;
    int length = 1;  // registers per string value
    std::string byte = "low";  // int8/uint8: which byte of the register
    bool json = false;
};

struct WriteArgs {
    LinkArgs link;
    std::string register_kind = "holding";
    int address = 0;
    std::string type;
    std::string order = "ABCD";
    double scale = 1.0;
    double offset = 0.0;
    int length = 0;  // string registers; 0 = as many as the text needs
    std::string byte = "low";
    bool multiple = false;  // always FC15/FC16, for devices that refuse FC5/FC6
    bool json = false;
    std::string wait = "5m";  // -c, device behind a Shine datalogger: how long it may take to dial in
    std::vector<std::string> values;
    // A point of a site configuration instead of a URI and an address: the profile's
    // encoding and the same checks as writes from MQTT (run_write_point).
    std::string config;
    std::string device;
    std::string point;
    std::vector<std::string> raw_options;  // register/address/type/... options given with -c
};

struct ScanArgs {
    LinkArgs link;
    std::string units = "1-247";
    std::string register_kind = "holding";
    int address = 0;
    bool json = false;
    bool identify = true;
};

int run_read(const ReadArgs& args);
int run_write(const WriteArgs& args);
int run_write_point(const WriteArgs& args);
int run_scan(const ScanArgs& args);

}  // namespace regpoll::app

namespace regpoll::app {

struct RunArgs {
    std::string config;
    bool once = false;
    std::string output = "log";  // jsonl | log | none
    std::string log_level = "info";
    std::string status_file;  // "": $RUNTIME_DIRECTORY/status.json under systemd, else none
    std::string http;         // "127.0.0.1:8080": serve the web API there ("http" section's listen)
    std::string shard;        // "K/N": poll only shard K's devices (overrides the file's "shard")
};

struct ValidateArgs {
    std::string config;
    bool quiet = false;  // errors only, no plan
    std::string shard;   // "K/N": check the whole site, plan and list shard K's devices
};

int run_run(const RunArgs& args);
int run_validate(const ValidateArgs& args);

// Sets up spdlog on stderr at `level` (trace, debug, info, warn, error); false if unknown.
bool setup_logging(const std::string& level);

}  // namespace regpoll::app

namespace regpoll::app {

// regpoll history: rows of a history database, oldest first.
struct HistoryArgs {
    std::string db;
    // --pg: from PostgreSQL; the connection string from --pg-conninfo-file, else $REGPOLL_PG,
    // else the "postgres" section of --config.
    bool pg = false;
    std::string pg_conninfo_file;
    std::string config;
    std::vector<std::string> devices;  // glob patterns; none = every device
    std::vector<std::string> points;
    std::string since;                 // "1h" (back from now), "now", ISO 8601 (UTC unless an offset)
    std::string until;
    std::string format = "csv";        // csv (with a header) | json (JSON lines, one object per row)
    std::string time = "ms";           // ms (Unix milliseconds) | iso (2026-11-20T10:00:00.000Z)
};

int run_history(const HistoryArgs& args);

}  // namespace regpoll::app

namespace regpoll::app {

// regpoll simulate: devices from profiles served over Modbus (sim/simulation.hpp). Either
// one device (--profile, --unit, --listen and the fault flags) or a sim.json (--config).
struct SimulateArgs {
    std::string profile;                        // library name or .json file
    int unit = 1;
    std::string listen = "tcp://127.0.0.1:5020";
    std::string config;                         // sim.json instead of the flags above
    std::string delay = "0ms";                  // faults of the one listener
    std::string jitter = "0ms";
    double drop_rate = 0;
    double corrupt_rate = 0;
    double exception_rate = 0;
    int exception_code = 6;                     // server device busy
    double disconnect_rate = 0;
    int max_registers = 0;                      // 0: the profile's limits.max_registers
    bool single_connection = false;             // neither flag: as the profile's limits say
    bool no_single_connection = false;
    std::string refresh;                        // empty: the file's, or 1s
    long long seed = -1;                        // < 0: the file's, or 1
    double seconds = 0;                         // 0: until SIGINT/SIGTERM
    bool freeze = false;                        // values stay as first generated
    std::string dump;                           // JSON of the intended values, every refresh
    bool print_values = false;                  // the same as JSON lines on stdout
    double speed = 1;                           // simulated seconds per real second
    std::string start_time;                     // "HH:MM": simulated local time to start at
    std::string log_level = "info";
    // --shine: play a Shine datalogger dialling this server instead of serving Modbus.
    std::string shine;                          // tcp://host:port
    std::string datalogger = "SIMLOG0001";
    std::string inverter = "SIMINV0001";
    int shine_protocol = 6;                     // 2, 5 or 6
    std::string upload_interval = "1m";
    std::string clock_skew;                     // the stick's clock error: "2h" ahead, "-2h" behind
    int sticks = 1;                             // how many sticks, serials counted up from the given ones
};

int run_simulate(const SimulateArgs& args);
int run_simulate_shine(const SimulateArgs& args);

}  // namespace regpoll::app

namespace regpoll::app {

// regpoll health: is `regpoll run` polling? Reads its status file (app/status_file.hpp).
// Exit 0 healthy, 1 not (a one-line reason on stdout either way), 2 usage error.
struct HealthArgs {
    std::string status_file;  // "": $REGPOLL_STATUS_FILE, $RUNTIME_DIRECTORY/status.json, /run/regpoll/status.json
    std::string max_age = "60s";
    std::string shard;  // "K/N": that shard's status file (status-K-N.json) by default
};

int run_health(const HealthArgs& args);

}  // namespace regpoll::app

namespace regpoll::app {

// regpoll discover: SunSpec models of one or more unit ids (sunspec/chain_walker.hpp).
struct DiscoverArgs {
    LinkArgs link;
    std::string units;          // "" = --unit only; "auto" = the usual SunSpec unit ids
    std::string base = "auto";  // auto | 40000 | 50000 | 0 | any address
    std::string out;            // write the profile of the one device found here
    bool json = false;
};

int run_discover(const DiscoverArgs& args);

// regpoll identify: the profiles whose "identify" block fits the device, best first.
// Exit 0 when one fits, 3 when none does, 1 when the device cannot be reached.
struct IdentifyArgs {
    LinkArgs link;
    bool unit_given = false;            // without --unit, each profile at its default unit
    std::vector<std::string> profiles;  // only these (library names or .json files); none = all
    bool json = false;
};

int run_identify(const IdentifyArgs& args);

}  // namespace regpoll::app
