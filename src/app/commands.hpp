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
    std::vector<std::string> values;
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
int run_scan(const ScanArgs& args);

}  // namespace regpoll::app

namespace regpoll::app {

struct RunArgs {
    std::string config;
    bool once = false;
    std::string output = "log";  // jsonl | log | none
    std::string log_level = "info";
};

struct ValidateArgs {
    std::string config;
    bool quiet = false;  // errors only, no plan
};

int run_run(const RunArgs& args);
int run_validate(const ValidateArgs& args);

// Sets up spdlog on stderr at `level` (trace, debug, info, warn, error); false if unknown.
bool setup_logging(const std::string& level);

}  // namespace regpoll::app
