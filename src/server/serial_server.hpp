#pragma once
// Modbus server on a serial line (a real port, or one end of a `socat` pseudo-terminal
// pair): RTU or ASCII framing, one or many unit ids on the same line. Frames end by the
// PDU length rules (RTU) or CR LF (ASCII). A frame with a bad CRC or LRC is discarded
// without a reply; after an RTU framing error input is ignored until the line is quiet,
// which resynchronises on the next request. Broadcast (unit 0) writes are executed and
// never answered.
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>

#include "modbus/frame_dump.hpp"
#include "server/data_tables.hpp"
#include "server/fault_policy.hpp"
#include "server/responder.hpp"

namespace regpoll::server {

struct SerialServerOptions {
    std::string device;
    unsigned baud = 19200;
    // 'N', 'E' or 'O'. Pseudo-terminals have no parity (Linux may refuse to set it with
    // EINVAL), so on a pty it is not requested.
    char parity = 'E';
    unsigned data_bits = 8;  // the specification's ASCII lines use 7
    unsigned stop_bits = 1;
    modbus::Framing framing = modbus::Framing::rtu;  // rtu or ascii
    // RTU: how long the line must be quiet to end a broken or partial frame. 0: 3.5
    // characters at `baud` but at least 50 ms, since OS and USB-adapter latency make
    // shorter gaps inside one frame common.
    Milliseconds resync_silence{0};
    ServeOptions serve{UnknownUnit::silent, true, {}};
    FaultSettings faults;
    std::uint64_t fault_seed = 1;
};

// Whether `device` is a Unix98 pseudo-terminal (/dev/pts/N, e.g. socat's).
bool is_pseudo_terminal(const std::string& device);

class SerialServer {
  public:
    // `tables` must outlive the server and every handler still queued on `io`.
    SerialServer(boost::asio::io_context& io, DataTables& tables, SerialServerOptions options);
    ~SerialServer();
    SerialServer(const SerialServer&) = delete;
    SerialServer& operator=(const SerialServer&) = delete;

    // Opens and configures the device and starts serving.
    std::error_code start();
    void stop();
    // Called once when the device fails while serving (read or write error, e.g. the
    // other end of a pty pair went away). Not called after stop().
    void set_failure_handler(std::function<void(std::error_code)> handler);

    const ServerStats& stats() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace regpoll::server
