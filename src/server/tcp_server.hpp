#pragma once
// Modbus server on TCP: many simultaneous connections, each answered in order (pipelined
// requests are fine), over shared data tables. MBAP framing, or RTU / ASCII frames over a
// raw TCP stream as serial-to-Ethernet converters carry them.
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>

#include "modbus/frame_dump.hpp"
#include "server/data_tables.hpp"
#include "server/fault_policy.hpp"
#include "server/responder.hpp"

namespace regpoll::server {

struct TcpServerOptions {
    std::string host = "127.0.0.1";  // an address, or a name resolved once at start()
    std::uint16_t port = 502;        // 0: the system picks a free port (see port())
    modbus::Framing framing = modbus::Framing::mbap;
    // A new client drops the connection before it, as Huawei's Wi-Fi dongles do.
    bool single_connection = false;
    // More connections than this are closed as soon as they are accepted; 0: no limit.
    std::size_t max_connections = 0;
    // TCP default: unknown units get 0x0B as from a gateway; unit 0 is an ordinary id.
    ServeOptions serve{UnknownUnit::gateway_target_failed, false, {}};
    FaultSettings faults;
    std::uint64_t fault_seed = 1;
};

class TcpServer {
  public:
    // `tables` must outlive the server and every handler still queued on `io`.
    TcpServer(boost::asio::io_context& io, DataTables& tables, TcpServerOptions options);
    ~TcpServer();
    TcpServer(const TcpServer&) = delete;
    TcpServer& operator=(const TcpServer&) = delete;

    // Binds, listens and starts accepting; an error (address in use, bad host) leaves the
    // server stopped.
    std::error_code start();
    // Closes the listener and every connection.
    void stop();

    std::uint16_t port() const;  // the bound port, after start()
    std::size_t open_connections() const;
    const ServerStats& stats() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace regpoll::server
