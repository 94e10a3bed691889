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
    // Replies the link discarded during the last transaction (a transaction id no request had).
    std::uint64_t discarded_in_last() const { return discarded_in_last_; }

private:
    std::uint64_t discarded_in_last_ = 0;
    boost::asio::io_context& io_;
    std::shared_ptr<transport::Link> link_;
};

// One line for the user: "timeout after 1000 ms", "connection refused",
// "exception ILLEGAL DATA ADDRESS (2)"; a timeout says how many replies were discarded.
std::string describe_error(std::error_code ec, transport::Milliseconds timeout, std::uint64_t discarded = 0);

}  // namespace regpoll::app
