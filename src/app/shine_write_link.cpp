#include "app/shine_write_link.hpp"

#include "common/duration.hpp"
#include "transport/shine_register_link.hpp"

namespace regpoll::app {

Expected<ShineWriteLink, std::string> connect_shine_device(boost::asio::io_context& io, const profile::BusConfig& bus,
                                                           const profile::DeviceConfig& device,
                                                           std::chrono::milliseconds wait, transport::LogFn log) {
    const auto& s = *device.shine;
    bool ready = false;
    transport::ShineListenerOptions o;
    o.log = log;
    o.known = [](const std::string&, const std::string&) { return true; };  // ack every logger meanwhile
    o.on_record = [&](const shine::Frame&, const shine::DataRecord& rec) {
        // A record of the device's inverter: its unit byte is known now.
        if (rec.datalogger == s.datalogger && (s.inverter.empty() || rec.inverter == s.inverter)) ready = true;
    };
    auto listener = transport::make_shine_listener(io, bus.uri, std::move(o));
    if (!listener) {
        const bool taken = listener.error().find("in use") != std::string::npos;
        return Unexpected{"bus " + bus.name + ": " + listener.error() +
                          (taken ? " — is `regpoll run` running? It holds the datalogger's connection: write "
                                   "through MQTT (<base>/" + device.name + "/<point>/set) instead"
                                 : std::string())};
    }
    if (log) {
        log(transport::LogLevel::info, "waiting up to " + format_duration(wait) + " for datalogger " +
                                              s.datalogger + " to dial in to " + bus.uri.to_string() + " …");
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!ready && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(100));
    if (!ready) {
        (*listener)->close();
        return Unexpected{"datalogger " + s.datalogger + " did not dial in to " + bus.uri.to_string() + " within " +
                          format_duration(wait) + " (is its server address this machine, port " +
                          std::to_string((*listener)->port()) + "?); nothing was written"};
    }
    auto link = transport::make_shine_register_link(io, *listener, s.datalogger, s.inverter, log);
    return ShineWriteLink{*listener, link};
}

}  // namespace regpoll::app
