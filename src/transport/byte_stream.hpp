#pragma once
// The seam between the sequential link (framing, timing, queue) and the medium that
// carries its bytes: a serial port, a TCP connection to a converter, or a socket a device
// dialled in on. Private to src/transport; no Asio types here, so the link core does not
// care which medium it drives, and a virtual call per read or write is all it costs.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "transport/link.hpp"

namespace regpoll::transport {

// One open byte stream. Handlers run on the link's io_context.
class Connection {
public:
    using IoHandler = std::function<void(std::error_code, std::size_t)>;
    virtual ~Connection() = default;
    virtual void async_read_some(std::span<std::uint8_t> buffer, IoHandler handler) = 0;
    // Writes all of `bytes` (which must stay valid until the handler runs).
    virtual void async_write(std::span<const std::uint8_t> bytes, IoHandler handler) = 0;
    // Cancels pending operations (their handlers still run, with an error).
    virtual void close() = 0;
    virtual bool is_open() const = 0;
    // For logs: "/dev/ttyUSB0", "192.168.1.60:8899".
    virtual std::string peer() const = 0;
};

// Makes connections: opens the port, connects, or waits for a device to dial in.
class Connector {
public:
    using OpenHandler = std::function<void(std::error_code, std::shared_ptr<Connection>)>;
    virtual ~Connector() = default;
    // At most one open is outstanding. `timeout` bounds connecting or waiting.
    virtual void async_open(Milliseconds timeout, OpenHandler handler) = 0;
    // Stops for good: a pending open completes with Errc::cancelled, a listener closes.
    virtual void close() = 0;
    // Whether failed opens back off (serial ports, outgoing connections) or not (a
    // listener, where opening already means waiting).
    virtual bool backs_off() const = 0;
};

}  // namespace regpoll::transport
