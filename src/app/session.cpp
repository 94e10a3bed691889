#include "app/session.hpp"

#include <cstdio>
#include <iostream>

#include "app/journal_stream.hpp"
#include "common/duration.hpp"
#include "modbus/frame_dump.hpp"
#include "transport/link_factory.hpp"

namespace regpoll::app {

void print_error(const std::string& message) {
    if (stderr_is_journal()) std::cerr << journal_priority_prefix("error");
    std::cerr << "regpoll: " << message << "\n";
}

std::optional<Session> Session::open(const LinkArgs& args) {
    auto uri = transport::parse_uri(args.uri);
    if (!uri) {
        print_error(uri.error());
        return std::nullopt;
    }
    auto timeout = parse_duration(args.timeout);
    if (!timeout) {
        print_error("--timeout: " + timeout.error());
        return std::nullopt;
    }
    if (timeout->count() <= 0) {
        print_error("--timeout must be longer than 0 ms");
        return std::nullopt;
    }
    if (args.unit < 0 || args.unit > 255) {
        print_error("--unit " + std::to_string(args.unit) + " is not a unit id (0-255)");
        return std::nullopt;
    }
    Session s;
    s.io_ = std::make_unique<boost::asio::io_context>();
    transport::LinkOptions options;
    options.tcp.connect_timeout = *timeout;
    // Warnings (a refused dial-in, an adapter echo) always; the rest with --debug.
    options.log = [debug = args.debug](transport::LogLevel level, const std::string& text) {
        if (level == transport::LogLevel::warning) {
            print_error("warning: " + text);
        } else if (debug) {
            print_error(text);
        }
    };
    auto link = transport::make_link(*s.io_, *uri, options);
    if (!link) {
        print_error(link.error());
        return std::nullopt;
    }
    if (args.debug) {
        (*link)->set_trace([](bool tx, modbus::Framing framing, std::span<const std::uint8_t> adu) {
            std::cerr << (tx ? "Tx " : "Rx ") << modbus::dump_frame(framing, adu) << "\n";
        });
    }
    s.client_ = std::make_unique<SyncClient>(*s.io_, std::move(*link));
    s.unit_ = static_cast<std::uint8_t>(args.unit);
    s.timeout_ = *timeout;
    return s;
}

Expected<modbus::Pdu> Session::transact(modbus::Pdu request) {
    return client_->transact(unit_, std::move(request), timeout_);
}

std::optional<modbus::RegisterKind> register_kind_arg(const std::string& text) {
    auto kind = modbus::parse_register_kind(text);
    if (!kind) {
        print_error("--register \"" + text + "\" is not a register kind (holding, input, coil, discrete)");
    }
    return kind;
}

}  // namespace regpoll::app
