#pragma once
// The MQTT sink: messages are built on the poller's thread and handed to a publisher
// thread through a bounded queue, so a slow or absent broker never stalls polling. While
// the broker is away, messages wait in the on-disk outbox and go out in order (QoS 1)
// after reconnecting. paho's callbacks are posted to the poller's io_context before they
// touch any state.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "poll/sample.hpp"
#include "poll/write_request.hpp"
#include "sink/mqtt_config.hpp"
#include "sink/mqtt_messages.hpp"

namespace regpoll::sink {

struct MqttStats {
    std::uint64_t published = 0;       // acknowledged by the broker
    std::uint64_t queued_to_disk = 0;  // written to the outbox while the broker was away
    std::uint64_t dropped = 0;         // forced out by the outbox bound
    std::size_t waiting = 0;           // in the outbox now
    bool connected = false;
};

class MqttSink final : public poll::SampleSink {
public:
    // Throws std::runtime_error when the outbox cannot be opened.
    MqttSink(boost::asio::io_context& io, MqttConfig config, std::shared_ptr<const profile::SiteConfig> site,
             std::string version);
    ~MqttSink() override;

    void on_samples(std::span<const poll::Sample> samples) override;
    void on_availability(const std::string& device, bool online) override;

    // Carries out a write asked for on a command topic or by Domoticz, and calls back with
    // the outcome (on the poller's thread). Set before start(); without one, commands are
    // not subscribed to.
    using WriteHandler = std::function<void(const std::string& device, const std::string& point,
                                            const std::string& payload,
                                            std::function<void(const poll::WriteOutcome&)> done)>;
    void set_write_handler(WriteHandler handler);

    // Connects and starts publishing.
    void start();
    // A reload whose "mqtt" section is unchanged: the connection and the outbox stay, and
    // the messages follow the new configuration (devices, points, Domoticz mappings, command
    // topics) from here on. Devices that left say offline; Home Assistant gets the new
    // discovery configs. On the poller's thread.
    void reconfigure(MqttConfig config, std::shared_ptr<const profile::SiteConfig> site);
    // Publishes what it can within `grace`, keeps the rest in the outbox, says "offline" on
    // the status topic and disconnects. request_stop() returns at once (the poller's loop
    // keeps running, so paho's events still reach it); stopped() says when it is done;
    // stop() waits.
    void request_stop(std::chrono::milliseconds grace = std::chrono::seconds(3));
    bool stopped() const;
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));
    MqttStats stats() const;

    // After stop(): the messages that neither reached the broker nor could be written to the
    // outbox (a full or read-only disk), oldest first. A reload hands them to the next sink
    // with adopt() (before its start()), so a full disk loses nothing across a SIGHUP.
    std::vector<Message> take_unsaved();
    void adopt(std::vector<Message> messages);

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;  // shared: work posted to the io_context holds a weak_ptr
};

}  // namespace regpoll::sink
