#pragma once
// The inverter's holding registers behind a Shine datalogger as a Link, so that writes (and
// their read-back) run exactly as over RS485: FC3 goes out as the stick command 0x05, FC6
// as 0x06, FC16 as 0x10, through the listener's command channel of that logger. Nothing
// else can be asked of a stick (input registers only arrive in its records): other
// functions fail with illegal_function.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transport/link.hpp"
#include "transport/shine_listener.hpp"

namespace regpoll::transport {

// `log` hears why a command failed (the error code alone says less).
std::shared_ptr<Link> make_shine_register_link(boost::asio::io_context& io,
                                               std::weak_ptr<ShineListener> listener,
                                               std::string datalogger, std::string inverter,
                                               LogFn log);

}  // namespace regpoll::transport
