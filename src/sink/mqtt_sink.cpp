#include "sink/mqtt_sink.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <MQTTAsync.h>
#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "sink/mqtt_messages.hpp"
#include "sink/mqtt_outbox.hpp"

namespace regpoll::sink {
namespace {

constexpr std::size_t window = 256;           // QoS 1 messages awaiting PUBACK
constexpr std::size_t memory_limit = 50'000;  // queued in memory before spilling to disk
constexpr std::size_t batch_max = 128;         // a batch this big goes out without waiting

std::string paho_uri(const std::string& broker) {
    if (broker.starts_with("mqtt://")) return "tcp://" + broker.substr(7);
    if (broker.starts_with("mqtts://")) return "ssl://" + broker.substr(8);
    return broker;
}

// Wakes the publisher thread when a delivery or connect attempt completes.
class Wakeup final : public mqtt::iaction_listener {
  public:
    explicit Wakeup(std::function<void(bool)> fn) : fn_(std::move(fn)) {}
    void on_success(const mqtt::token&) override { fn_(true); }
    void on_failure(const mqtt::token&) override { fn_(false); }

  private:
    std::function<void(bool)> fn_;
};

// A message paho holds, back as ours: when paho refuses it, or it goes to the outbox.
Message message_from(const mqtt::message& m, MessageClass cls) {
    return Message{m.get_topic(), m.get_payload_str(), m.get_qos(), m.is_retained(), cls};
}

struct InFlight {
    mqtt::delivery_token_ptr token;  // holds the message (topic, payload, QoS, retain)
    std::int64_t disk_id = 0;        // from the outbox, or 0: sent straight from memory
    MessageClass cls = MessageClass::plain;

    // A message from memory as it goes back to the outbox: paho's copy is the only one (the
    // sink moved its topic and payload into it rather than keep a second).
    Message message() const { return message_from(*token->get_message(), cls); }
};

}  // namespace

struct MqttSink::Impl : std::enable_shared_from_this<MqttSink::Impl> {
    Impl(boost::asio::io_context& io_, MqttConfig config,
         std::shared_ptr<const profile::SiteConfig> site_, std::string version_)
        : io(io_),
          version(std::move(version_)),
          site(site_),
          builder(std::move(config), std::move(site_), version),
          ha_status_topic(builder.config().discovery_prefix + "/status"),
          command_qos(builder.config().qos),
          batch_delay(builder.config().batch_delay),
          outbox(builder.config().outbox_path, builder.config().outbox_max_messages),
          // A delivery wakes the publisher only when it waits for one (a full window, or
          // stopping): otherwise it reaps acknowledged messages when it next wakes anyway, and
          // a context switch per message is what a small machine can least afford.
          delivered([this](bool) {
              if (want_deliveries.load(std::memory_order_relaxed)) wake();
          }),
          connect_done([this](bool ok) {
              if (!ok) {
                  std::lock_guard lk(mutex);
                  connecting = false;
              }
              wake();
          }) {}

    boost::asio::io_context& io;
    const std::string version;
    std::shared_ptr<const profile::SiteConfig> site;  // poller thread
    // Built on the poller's thread; replaced there by reconfigure(). The publisher thread
    // touches it only in finish(), under builder_mutex.
    MessageBuilder builder;
    std::mutex builder_mutex;
    // What the publisher thread needs of the configuration; a reload keeps the sink only
    // while the "mqtt" section is unchanged, so these stay as they are.
    const std::string ha_status_topic;
    const int command_qos;
    const std::chrono::milliseconds batch_delay;
    Outbox outbox;  // publisher thread only
    std::unique_ptr<mqtt::async_client> client;
    mqtt::connect_options options;
    Wakeup delivered;
    Wakeup connect_done;
    std::thread thread;

    std::mutex mutex;  // guards the fields up to `wakeups`
    std::condition_variable cv;
    std::deque<Message> queue;  // built on the poller thread, waiting for the publisher
    std::chrono::steady_clock::time_point queue_since{};  // when `queue` last became non-empty
    bool stopping = false;
    bool connecting = false;
    bool connected = false;
    bool became_connected = false;
    std::uint64_t wakeups = 0;
    std::chrono::steady_clock::time_point stop_deadline{};
    std::vector<std::string> command_filters;  // set before start, and by reconfigure()
    bool resubscribe = false;                  // command_filters changed while running

    std::atomic<std::uint64_t> published{0}, queued_to_disk{0}, dropped{0};
    std::atomic<std::size_t> waiting{0};
    std::atomic<bool> closing{false};
    std::atomic<bool> want_deliveries{false};
    std::atomic<bool> finished{false};

    // Runs `fn` on the poller's thread, unless the sink is gone by then.
    template <class Fn>
    void on_io(Fn fn) {
        if (closing) return;
        boost::asio::post(io, [weak = weak_from_this(), fn = std::move(fn)] {
            if (auto self = weak.lock()) fn(*self);
        });
    }

    // publisher thread state
    std::deque<Message> pending;
    std::deque<InFlight> inflight;
    std::int64_t last_disk_sent = 0;
    std::chrono::steady_clock::time_point next_connect{};
    std::chrono::seconds retry_delay{1};
    int connect_attempts = 0;
    std::chrono::steady_clock::time_point first_connect_until{};

    void wake() {
        {
            std::lock_guard lk(mutex);
            ++wakeups;
        }
        cv.notify_one();
    }
    void enqueue(std::vector<Message>&& messages) {
        if (messages.empty()) return;
        bool was_empty, full;
        {
            std::lock_guard lk(mutex);
            was_empty = queue.empty();
            if (was_empty) queue_since = std::chrono::steady_clock::now();
            const auto before = queue.size();
            for (auto& m : messages) queue.push_back(std::move(m));
            full = before < batch_max && queue.size() >= batch_max;
        }
        // A non-empty queue has a wake-up on its way already (the publisher checks the queue
        // before it sleeps, and waits out batch_delay only while the batch is small).
        if (was_empty || full) cv.notify_one();
    }
    void setup_client();
    void run();
    void try_connect();
    void reap();
    void spill();
    void keep_in_memory(std::vector<Message> messages, const std::string& error);
    bool outbox_failing = false;        // publisher thread only
    std::uint64_t lost_in_memory = 0;   // dropped while the outbox could not be written
    void send();
    void on_connected_io();
    void announce();
    void on_command(const std::string& topic, const std::string& payload, bool retained);
    void finish();

    WriteHandler write_handler;            // poller thread
    std::vector<Message> built;            // poller thread: on_samples()' messages, reused
    std::vector<std::string> subscribed;  // publisher thread: the command filters taken now
    void update_subscriptions(bool fresh_session);
};

void MqttSink::Impl::setup_client() {
    // OpenSSL (1.1 and later) initialises itself when a TLS connection first needs it; paho's
    // own initialisation would load every algorithm and error string at start, TLS or not
    // (1.6 MB resident). Once per process, before the first client.
    static std::once_flag openssl_init;
    std::call_once(openssl_init, [] {
        MQTTAsync_init_options init = MQTTAsync_init_options_initializer;
        init.do_openssl_init = 0;
        MQTTAsync_global_init(&init);
    });
    const auto& c = builder.config();
    // paho refuses a publish while more than maxBufferedMessages (100 unless told) wait in its
    // own queue for its sending thread, connected or not: a burst of 1,000 devices' states
    // then met that refusal (an exception and a stall) every second. Our window bounds what
    // paho holds, so its queue is made as large as the window.
    mqtt::create_options create;
    create.set_max_buffered_messages(static_cast<int>(window));
    client = std::make_unique<mqtt::async_client>(paho_uri(c.broker), c.client_id, create, nullptr);
    auto will = builder.status(false);
    options.set_keep_alive_interval(static_cast<int>(c.keepalive.count()));
    options.set_clean_session(true);
    options.set_max_inflight(static_cast<int>(window));
    options.set_will(mqtt::will_options(will.topic, will.payload, will.qos, true));
    if (!c.username.empty()) options.set_user_name(c.username);
    if (!c.password.empty()) options.set_password(c.password);
    if (c.tls) {
        mqtt::ssl_options ssl;
        if (!c.tls->ca_file.empty()) ssl.set_trust_store(c.tls->ca_file);
        if (!c.tls->cert_file.empty()) ssl.set_key_store(c.tls->cert_file);
        if (!c.tls->key_file.empty()) ssl.set_private_key(c.tls->key_file);
        ssl.set_enable_server_cert_auth(c.tls->verify);
        options.set_ssl(ssl);
    }
    // paho's threads only flip flags and post to the poller's executor.
    client->set_connected_handler([this](const std::string&) {
        {
            std::lock_guard lk(mutex);
            connected = true;
            connecting = false;
            became_connected = true;
        }
        cv.notify_one();
        on_io([](Impl& self) { self.on_connected_io(); });
    });
    client->set_connection_lost_handler([this](const std::string& cause) {
        {
            std::lock_guard lk(mutex);
            connected = false;
            connecting = false;
        }
        cv.notify_one();
        on_io([cause](Impl& self) {
            spdlog::warn("MQTT: connection to {} lost ({}); messages wait in {}",
                         self.builder.config().broker, cause.empty() ? "no reason given" : cause,
                         self.builder.config().outbox_path);
        });
    });
    const std::string ha_status = c.discovery_prefix + "/status";
    client->set_message_callback([this, ha_status](mqtt::const_message_ptr msg) {
        if (msg->get_topic() == ha_status) {
            if (msg->to_string() != "online") return;
            on_io([](Impl& self) {
                spdlog::info(
                    "MQTT: Home Assistant is online: announcing the discovery configs again");
                self.enqueue(self.builder.discovery());
            });
            return;
        }
        on_io([topic = msg->get_topic(), payload = msg->to_string(), retained = msg->is_retained()](
                  Impl& self) { self.on_command(topic, payload, retained); });
    });
}

// A message on a command topic or domoticz/out, on the poller's thread.
void MqttSink::Impl::on_command(const std::string& topic, const std::string& payload,
                                bool retained) {
    if (!write_handler) return;
    WriteCommand cmd;
    if (auto target = builder.command_target(topic)) {
        if (retained) {
            // A retained command would be carried out again at every restart.
            spdlog::warn(
                "MQTT: ignored the retained message on {}: commands are acted on when they are "
                "sent, "
                "never from a retained copy (publish without the retain flag)",
                topic);
            return;
        }
        if (payload.empty()) {
            spdlog::debug("MQTT: {}: empty message (clears a retained command), ignored", topic);
            return;
        }
        cmd = WriteCommand{target->first, target->second, payload, topic};
    } else if (builder.is_domoticz_out(topic)) {
        if (retained) return;  // Domoticz's last state, not a change someone just made
        std::string why;
        auto dz = builder.domoticz_command(payload, why);
        if (!dz) {
            if (!why.empty()) spdlog::debug("MQTT: {}: ignored ({})", topic, why);
            return;
        }
        cmd = std::move(*dz);
    } else {
        return;
    }
    spdlog::info("MQTT: {} asks to write {} to {}/{}", cmd.origin, cmd.payload.substr(0, 80),
                 cmd.device, cmd.point);
    builder.write_started(cmd.device, cmd.point);
    write_handler(cmd.device, cmd.point, cmd.payload,
                  [weak = weak_from_this(), device = cmd.device,
                   point = cmd.point](const poll::WriteOutcome& out) {
                      if (auto self = weak.lock()) {
                          self->builder.write_finished(device, point);
                          self->enqueue({self->builder.write_result(device, point, out)});
                      }
                  });
}

// Runs on the poller's thread after every (re)connect: status, and Home Assistant's
// discovery configs, removing the ones whose points left the configuration.
void MqttSink::Impl::on_connected_io() {
    spdlog::info("MQTT: connected to {} as {}", builder.config().broker,
                 builder.config().client_id);
    announce();
}

// The status topic says online, and Home Assistant gets the discovery configs of the
// configuration as it is now (after a connect, and after a reload that kept the connection).
void MqttSink::Impl::announce() {
    std::vector<Message> out{builder.status(true)};
    if (builder.config().homeassistant) {
        auto configs = builder.discovery();
        const std::string record = builder.config().outbox_path + ".announced";
        std::set<std::string> now;
        for (const auto& m : configs) now.insert(m.topic);
        std::ifstream in(record);
        std::string topic;
        while (std::getline(in, topic)) {
            if (!topic.empty() && !now.count(topic)) {
                out.push_back(
                    {topic, "", 1, true, MessageClass::discovery});  // empty retained: removed
            }
        }
        std::ofstream rec(record, std::ios::trunc);
        for (const auto& t : now) rec << t << "\n";
        for (auto& m : configs) out.push_back(std::move(m));
    }
    enqueue(std::move(out));
}

// Takes the command topics of the configuration as it is now: all of them on a new (clean)
// session, only the differences after a reload changed them while connected.
void MqttSink::Impl::update_subscriptions(bool fresh_session) {
    std::vector<std::string> wanted;
    {
        std::lock_guard lk(mutex);
        if (!fresh_session && !resubscribe) return;
        resubscribe = false;
        wanted = command_filters;
    }
    if (fresh_session) subscribed.clear();
    try {
        for (const auto& filter : subscribed) {
            if (std::find(wanted.begin(), wanted.end(), filter) == wanted.end()) client->unsubscribe(filter);
        }
        for (const auto& filter : wanted) {
            if (std::find(subscribed.begin(), subscribed.end(), filter) == subscribed.end())
                client->subscribe(filter, command_qos);
        }
    } catch (const mqtt::exception&) {
    }
    subscribed = std::move(wanted);
}

void MqttSink::Impl::try_connect() {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lk(mutex);
        if (connected || connecting || now < next_connect) return;
        connecting = true;
    }
    ++connect_attempts;
    next_connect = now + retry_delay;
    retry_delay = std::min(retry_delay * 2, std::chrono::seconds(30));
    try {
        client->connect(options, nullptr, connect_done);
    } catch (const mqtt::exception& e) {
        std::lock_guard lk(mutex);
        connecting = false;
    }
}

// Drops delivered messages from the front of the window; a failed delivery means the
// connection went: the rest stays for the next connection.
void MqttSink::Impl::reap() {
    std::int64_t acked_disk = 0;
    while (!inflight.empty() && inflight.front().token->is_complete()) {
        if (inflight.front().token->get_return_code() != 0) break;
        if (inflight.front().disk_id) acked_disk = inflight.front().disk_id;
        inflight.pop_front();
        ++published;
    }
    if (acked_disk) outbox.remove_up_to(acked_disk);
}

// The broker is away: what was sent from memory but not acknowledged, and everything still
// in memory, goes to the outbox, in order. Outbox rows in flight stay where they are.
void MqttSink::Impl::spill() {
    std::vector<Message> to_disk;
    for (auto& f : inflight) {
        if (!f.disk_id) to_disk.push_back(f.message());
    }
    inflight.clear();
    last_disk_sent = 0;
    for (auto& m : pending) to_disk.push_back(std::move(m));
    pending.clear();
    if (to_disk.empty()) return;
    std::size_t n = 0;
    try {
        n = outbox.append(to_disk);
    } catch (const std::exception& e) {
        keep_in_memory(std::move(to_disk), e.what());
        return;
    }
    if (outbox_failing) {
        outbox_failing = false;
        on_io([](Impl&) { spdlog::info("MQTT: the outbox takes messages again"); });
    }
    on_io([count = to_disk.size(), first = to_disk.front().topic](Impl&) {
        spdlog::debug("MQTT: {} messages to the outbox, first {}", count, first);
    });
    queued_to_disk += to_disk.size();
    if (n) {
        dropped += n;
        on_io([n, total = outbox.dropped_total()](Impl&) {
            spdlog::warn(
                "MQTT: the outbox is full: dropped the {} oldest plain-topic messages ({} in all)",
                n, total);
        });
    }
}

// The outbox refused a write (a full or read-only disk): the messages stay in memory, in
// order, up to memory_limit; past it the oldest go, counted. Said once per failure.
void MqttSink::Impl::keep_in_memory(std::vector<Message> messages, const std::string& error) {
    pending.insert(pending.begin(), std::make_move_iterator(messages.begin()), std::make_move_iterator(messages.end()));
    std::size_t lost = 0;
    while (pending.size() > memory_limit) {
        pending.pop_front();
        ++lost;
    }
    dropped += lost;
    const auto lost_before = lost_in_memory;
    lost_in_memory += lost;
    if (!outbox_failing) {
        outbox_failing = true;
        on_io([error](Impl&) {
            spdlog::error("MQTT: {}; messages wait in memory (up to {}, then the oldest are dropped)", error,
                          memory_limit);
        });
    }
    std::uint64_t mark = 1;  // said at the 1st, 10th, 100th... message lost this way
    while (mark * 10 <= lost_in_memory) mark *= 10;
    if (lost > 0 && lost_before < mark) {
        on_io([total = lost_in_memory](Impl&) {
            spdlog::warn("MQTT: the outbox cannot be written and memory is full: {} oldest messages dropped so far",
                         total);
        });
    }
}

void MqttSink::Impl::send() {
    while (inflight.size() < window) {
        std::int64_t disk_id = 0;
        Message m;
        if (outbox.size() > 0) {
            auto rows = outbox.oldest(1, last_disk_sent);
            if (!rows.empty()) {
                disk_id = rows[0].id;
                m = std::move(rows[0].message);
            }
        }
        if (!disk_id) {
            // Memory only after every outbox row is on its way: order is kept.
            if (pending.empty()) return;
            m = std::move(pending.front());
            pending.pop_front();
        }
        // Topic and payload move into paho's message: one copy of each while in flight.
        InFlight f;
        f.disk_id = disk_id;
        f.cls = m.cls;
        auto msg = mqtt::make_message(std::move(m.topic), std::move(m.payload), m.qos, m.retain);
        try {
            f.token = client->publish(msg, nullptr, delivered);
        } catch (const mqtt::exception&) {
            if (!disk_id) {
                pending.push_front(message_from(*msg, m.cls));
            }
            return;
        }
        if (disk_id) last_disk_sent = disk_id;
        inflight.push_back(std::move(f));
    }
}

void MqttSink::Impl::run() {
    first_connect_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
        bool is_connected, is_connecting, now_connected, stop_now, stop_requested;
        {
            std::unique_lock lk(mutex);
            stop_requested = stopping;
            const auto seen = wakeups;
            cv.wait_for(lk, std::chrono::milliseconds(stopping ? 20 : 200),
                        [&] { return !queue.empty() || wakeups != seen || became_connected; });
            // Messages that come within batch_delay of the first go out with it: one wake-up
            // here and one of paho's sender per batch, not per message (1,000 devices polled
            // once a second finish at 1,000 different moments).
            if (!queue.empty() && queue.size() < batch_max && batch_delay.count() > 0 && !stopping && pending.empty() &&
                connected && inflight.size() < window) {
                const auto seen_now = wakeups;
                cv.wait_until(lk, queue_since + batch_delay, [&] {
                    return queue.size() >= batch_max || stopping || wakeups != seen_now || became_connected;
                });
            }
            for (auto& m : queue) pending.push_back(std::move(m));
            queue.clear();
            is_connected = connected;
            is_connecting = connecting;
            now_connected = became_connected;
            became_connected = false;
            // Stopping: keep going (connecting if need be) until everything is delivered
            // or the grace period is over; the rest stays in the outbox.
            stop_now = stopping && (std::chrono::steady_clock::now() >= stop_deadline ||
                                    (pending.empty() && inflight.empty() && outbox.size() == 0));
        }
        if (stop_now) break;
        if (now_connected) {
            retry_delay = std::chrono::seconds(1);
            try {
                client->subscribe(ha_status_topic, 1);
            } catch (const mqtt::exception&) {
            }
            update_subscriptions(true);
        } else if (is_connected) {
            update_subscriptions(false);
        }
        reap();
        const bool failed = !inflight.empty() && inflight.front().token->is_complete() &&
                            inflight.front().token->get_return_code() != 0;
        if (!is_connected || failed) {
            // The run's first connection is normally made within milliseconds: what comes
            // meanwhile waits for it in memory (as messages in flight always do), up to 5 s and
            // memory_limit, so that a site whose broker is there never opens the outbox (SQLite
            // is 1.2 MB of a run's memory). Only while the first attempt is not made yet or under
            // way: a refused, lost or failed connection is no longer "connecting" and spills as ever.
            const bool first_connect = (connect_attempts == 0 || (connect_attempts == 1 && is_connecting)) &&
                                       std::chrono::steady_clock::now() < first_connect_until &&
                                       pending.size() <= memory_limit;
            if (!first_connect) spill();
            try_connect();
        } else {
            send();
            if (pending.size() > memory_limit) spill();  // keep memory bounded on a slow broker
        }
        want_deliveries = inflight.size() >= window || stop_requested;
        waiting = outbox.size() + pending.size();
    }
    finish();
    finished = true;
}

// Whatever is left goes to the outbox; the devices and the status topic say offline; disconnect.
void MqttSink::Impl::finish() {
    reap();
    spill();
    waiting = outbox.size();
    closing = true;
    try {
        bool is_connected;
        {
            std::lock_guard lk(mutex);
            is_connected = connected;
        }
        if (is_connected) {
            // Every device offline first, so Home Assistant stops showing their last values.
            std::vector<Message> messages;
            {
                std::lock_guard lk(builder_mutex);
                messages = builder.all_offline();
                messages.push_back(builder.status(false));
            }
            mqtt::delivery_token_ptr last;
            for (const auto& m : messages)
                last = client->publish(mqtt::make_message(m.topic, m.payload, m.qos, true));
            last->wait_for(std::chrono::seconds(1));
            client->disconnect()->wait_for(std::chrono::seconds(2));
        }
    } catch (const mqtt::exception&) {
    }
}

MqttSink::MqttSink(boost::asio::io_context& io, MqttConfig config,
                   std::shared_ptr<const profile::SiteConfig> site, std::string version)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(site), std::move(version))) {
    impl_->setup_client();
}

MqttSink::~MqttSink() {
    stop(std::chrono::milliseconds(0));
}

void MqttSink::set_write_handler(WriteHandler handler) {
    impl_->write_handler = std::move(handler);
    std::lock_guard lk(impl_->mutex);
    impl_->command_filters =
        impl_->write_handler ? impl_->builder.command_filters() : std::vector<std::string>{};
}

void MqttSink::reconfigure(MqttConfig config, std::shared_ptr<const profile::SiteConfig> site) {
    auto& s = *impl_;
    // Devices that left the configuration say offline, so Home Assistant stops showing
    // their last values (a sink that stops says so of every device).
    std::vector<Message> gone;
    for (const auto& dev : s.site->devices) {
        const bool kept = std::any_of(site->devices.begin(), site->devices.end(),
                                      [&](const profile::DeviceConfig& d) { return d.name == dev.name; });
        if (!kept) gone.push_back(s.builder.availability(dev.name, false));
    }
    s.enqueue(std::move(gone));
    s.site = site;
    {
        std::lock_guard lk(s.builder_mutex);
        s.builder = MessageBuilder(std::move(config), std::move(site), s.version);
    }
    bool is_connected;
    {
        std::lock_guard lk(s.mutex);
        if (s.write_handler) {
            s.command_filters = s.builder.command_filters();
            s.resubscribe = true;
        }
        is_connected = s.connected;
    }
    s.wake();
    if (is_connected) s.announce();  // otherwise the next connect does it
}

void MqttSink::start() {
    if (impl_->thread.joinable()) return;
    for (const auto& filter : impl_->builder.command_filters())
        if (impl_->write_handler) spdlog::info("MQTT: taking commands on {}", filter);
    if (impl_->outbox.size() > 0) {
        spdlog::info("MQTT: {} messages from an earlier run wait in {}", impl_->outbox.size(),
                     impl_->builder.config().outbox_path);
    }
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void MqttSink::request_stop(std::chrono::milliseconds grace) {
    if (!impl_ || !impl_->thread.joinable()) return;
    {
        std::lock_guard lk(impl_->mutex);
        if (impl_->stopping) return;
        impl_->stopping = true;
        impl_->stop_deadline = std::chrono::steady_clock::now() + grace;
    }
    impl_->want_deliveries = true;
    impl_->wake();
}

bool MqttSink::stopped() const {
    return !impl_->thread.joinable() || impl_->finished;
}

void MqttSink::stop(std::chrono::milliseconds grace) {
    if (!impl_ || !impl_->thread.joinable()) return;
    request_stop(grace);
    impl_->thread.join();
    if (impl_->waiting > 0) {
        spdlog::info("MQTT: {} messages wait in {} for the next run", impl_->waiting.load(),
                     impl_->builder.config().outbox_path);
    }
}

void MqttSink::on_samples(std::span<const poll::Sample> samples) {
    auto& out = impl_->built;
    out.clear();
    impl_->builder.samples(samples, out);
    impl_->enqueue(std::move(out));  // moves the messages out; the vector keeps its capacity
    out.clear();
}

void MqttSink::on_availability(const std::string& device, bool online) {
    impl_->enqueue({impl_->builder.availability(device, online)});
}

std::vector<Message> MqttSink::take_unsaved() {
    if (impl_->thread.joinable()) return {};  // still running: the publisher owns `pending`
    std::vector<Message> out(std::make_move_iterator(impl_->pending.begin()),
                             std::make_move_iterator(impl_->pending.end()));
    impl_->pending.clear();
    return out;
}

void MqttSink::adopt(std::vector<Message> messages) {
    if (impl_->thread.joinable()) return;  // only before start()
    impl_->pending.insert(impl_->pending.begin(), std::make_move_iterator(messages.begin()),
                          std::make_move_iterator(messages.end()));
}

MqttStats MqttSink::stats() const {
    MqttStats s;
    s.published = impl_->published;
    s.queued_to_disk = impl_->queued_to_disk;
    s.dropped = impl_->dropped;
    s.waiting = impl_->waiting;
    std::lock_guard lk(impl_->mutex);
    s.connected = impl_->connected;
    return s;
}

}  // namespace regpoll::sink
