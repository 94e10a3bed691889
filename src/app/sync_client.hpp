#pragma once
// Blocking request/response over a Link, for the one-shot commands (read, write, scan).
// Runs the io_context until the one transaction completes.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "transport/link.hpp"

namespace regpoll::app {

class SyncClient {
public:
    SyncClient(boost::asio::io_context& io, std::shared_ptr<transport::Link> link)
        : io_(io), link_(std::move(link)) {}
    ~SyncClient();

    Expected<modbus::Pdu> transact(std::uint8_t unit, modbus::Pdu request,
                                   transport::Milliseconds timeout);
    transport::Link& link() { return *link_; }

private:
    boost::asio::io_context& io_;
    std::shared_ptr<transport::Link> link_;
};

// One line for the user: "timeout after 1000 ms", "connection refused",
// "exception ILLEGAL DATA ADDRESS (2)".
std::string describe_error(std::error_code ec, transport::Milliseconds timeout);

}  // namespace regpoll::app
