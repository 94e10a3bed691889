#pragma once
// What read, write and scan share: parse the URI and timeout, open the link, print frame
// dumps with --debug, and report errors in one line on stderr.
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "app/commands.hpp"
#include "app/sync_client.hpp"
#include "modbus/register_kind.hpp"

namespace regpoll::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_no_fit = 3;  // identify: the device answered, no profile fits

// Prints "regpoll: <message>" on stderr.
void print_error(const std::string& message);

class Session {
public:
    // nullopt after printing a usage error (bad URI, unit or timeout).
    static std::optional<Session> open(const LinkArgs& args);

    Expected<modbus::Pdu> transact(modbus::Pdu request);
    std::uint8_t unit() const { return unit_; }
    void set_unit(std::uint8_t unit) { unit_ = unit; }
    transport::Milliseconds timeout() const { return timeout_; }
    void set_timeout(transport::Milliseconds t) { timeout_ = t; }
    std::string describe(std::error_code ec) const {
        return describe_error(ec, timeout_, client_ ? client_->discarded_in_last() : 0);
    }

private:
    Session() = default;
    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<SyncClient> client_;
    std::uint8_t unit_ = 1;
    transport::Milliseconds timeout_{1000};
};

// Parses --register; prints a usage error and returns nullopt when unknown.
std::optional<modbus::RegisterKind> register_kind_arg(const std::string& text);

}  // namespace regpoll::app
