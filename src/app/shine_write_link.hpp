#pragma once
// `regpoll write` to a device behind a Growatt Shine datalogger: the datalogger dials in,
// so the command binds the bus's shine+listen:// port itself, waits (bounded, and says so)
// for the datalogger to connect and announce, and then writes through its connection.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "profile/site_config.hpp"
#include "transport/link.hpp"
#include "transport/shine_listener.hpp"

namespace regpoll::app {

struct ShineWriteLink {
    std::shared_ptr<transport::ShineListener> listener;  // close both when done
    std::shared_ptr<transport::Link> link;
};

// Runs `io` until the device's datalogger has dialled in and sent a record, at most `wait`.
// The error says what to do: a port taken means `regpoll run` has it, so write through MQTT.
Expected<ShineWriteLink, std::string> connect_shine_device(boost::asio::io_context& io,
                                                           const profile::BusConfig& bus,
                                                           const profile::DeviceConfig& device,
                                                           std::chrono::milliseconds wait,
                                                           transport::LogFn log);

}  // namespace regpoll::app
