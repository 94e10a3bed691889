#include "app/sync_client.hpp"

#include <cctype>

#include "modbus/error.hpp"

namespace regpoll::app {

SyncClient::~SyncClient() {
    link_->close();
    io_.restart();
    io_.poll();  // let cancelled operations finish before the link goes away
}

Expected<modbus::Pdu> SyncClient::transact(std::uint8_t unit, modbus::Pdu request,
                                           transport::Milliseconds timeout) {
    const auto strays_before = link_->stats().stray_frames;
    bool done = false;
    std::error_code result_ec;
    modbus::Pdu result;
    link_->async_transact(unit, std::move(request), timeout,
                          [&](std::error_code ec, modbus::Pdu pdu) {
                              done = true;
                              result_ec = ec;
                              result = std::move(pdu);
                          });
    io_.restart();
    while (!done && io_.run_one() > 0) {
    }
    discarded_in_last_ = link_->stats().stray_frames - strays_before;
    if (!done) return Unexpected{modbus::make_error_code(modbus::Errc::cancelled)};
    if (result_ec) return Unexpected{result_ec};
    return result;
}

std::string describe_error(std::error_code ec, transport::Milliseconds timeout, std::uint64_t discarded) {
    if (ec == modbus::Errc::timeout) {
        std::string text = "timeout after " + std::to_string(timeout.count()) + " ms";
        if (discarded > 0) {
            text += " (" + std::to_string(discarded) + (discarded == 1 ? " reply" : " replies") +
                    " with another transaction id discarded: a late answer, or a device that does not echo the "
                    "transaction id)";
        }
        return text;
    }
    std::string text = ec.message();
    // System messages start with a capital ("Connection refused"); ours are lower case.
    if (!text.empty() && ec.category() != modbus::modbus_category()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

}  // namespace regpoll::app
