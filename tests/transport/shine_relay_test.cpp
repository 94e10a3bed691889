// shine+listen:// in relay mode against real loopback connections: the test plays both the
// stick and the Growatt cloud (a listening socket on a free port), so it sees the bytes each
// side gets. Timeouts and back-off are short here; the defaults are seconds.
#include "transport/shine_listener.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include <boost/asio/post.hpp>

#include "../shine/hex.hpp"
#include "../shine/loopback_peer.hpp"
#include "../shine/vectors.hpp"
#include "shine/commands.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using test::to_hex;
using test::unhex;
namespace v = test::shine_vectors;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;
using test::Cloud;
using test::Peer;

// The cloud's ack of a record, with body byte 0x01 so the stick can tell it from regpoll's.
Bytes cloud_ack(std::string_view record_hex) {
    const auto f = shine::cut_frame(unhex(record_hex)).frame;
    const std::uint8_t body = 0x01;
    return shine::encode_frame(f.transaction, f.protocol, f.unit, f.type, std::span(&body, 1));
}

class ShineRelayTest : public ::testing::Test {
  protected:
    void start(std::uint16_t cloud_port,
               shine::RelayCommands commands = shine::RelayCommands::block) {
        ShineListenerOptions o;
        o.known = [](const std::string&, const std::string&) { return true; };
        o.on_record = [this](const shine::Frame& f, const shine::DataRecord&) {
            std::lock_guard lock(mutex_);
            records_.push_back(f.type);
        };
        o.log = [this](LogLevel, const std::string& text) {
            std::lock_guard lock(mutex_);
            log_ += text + "\n";
        };
        o.relay.emplace();
        o.relay->host = "127.0.0.1";
        o.relay->port = cloud_port;
        o.relay->commands = commands;
        o.relay->ack_timeout = 400ms;
        o.relay->backoff_initial = 100ms;
        o.relay->backoff_max = 200ms;
        Uri uri;
        uri.scheme = "shine+listen";
        uri.host = "127.0.0.1";
        auto l = make_shine_listener(io_, uri, std::move(o));
        ASSERT_TRUE(l) << l.error();
        listener_ = *l;
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        if (listener_) asio::post(io_, [this] { listener_->close(); });
        work_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
        if (HasFailure()) std::cerr << "listener log:\n" << log();
    }
    std::string log() {
        std::lock_guard lock(mutex_);
        return log_;
    }
    std::size_t records() {
        std::lock_guard lock(mutex_);
        return records_.size();
    }
    std::size_t count_in_log(const std::string& text) {
        const auto l = log();
        std::size_t n = 0;
        for (auto at = l.find(text); at != std::string::npos; at = l.find(text, at + 1)) ++n;
        return n;
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
    std::shared_ptr<ShineListener> listener_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::uint8_t> records_;
    std::string log_;
};

TEST_F(ShineRelayTest, StickRecordsReachTheCloudAsSentAndTheCloudsAnswersReachTheStick) {
    Cloud cloud;
    start(cloud.port());
    auto stick = Peer::dial(listener_->port());
    auto up = cloud.accept();
    ASSERT_TRUE(up) << "the relay dials when the stick connects";

    stick.send(v::v1_ping_v6);
    stick.send(v::v7_data_v6);
    EXPECT_EQ(to_hex(up->read(40)), v::v1_ping_v6);
    EXPECT_EQ(to_hex(up->read(unhex(v::v7_data_v6).size())), v::v7_data_v6);

    // The cloud's echo and ack go to the stick, and regpoll's own never (not even later).
    up->send(v::v1_ping_v6);
    up->send(cloud_ack(v::v7_data_v6));
    EXPECT_EQ(to_hex(stick.read(40)), v::v1_ping_v6);
    EXPECT_EQ(stick.read(11), cloud_ack(v::v7_data_v6));
    EXPECT_TRUE(stick.any(800ms).empty()) << "regpoll answered as well";
    EXPECT_EQ(records(), 1U) << "the data record still reaches the poller";
}

TEST_F(ShineRelayTest, CloudThatDoesNotAnswerInTimeLeavesTheAckToRegpoll) {
    Cloud cloud;
    start(cloud.port());
    auto stick = Peer::dial(listener_->port());
    auto up = cloud.accept();
    ASSERT_TRUE(up);
    stick.send(v::v7_data_v6);
    EXPECT_EQ(to_hex(up->read(unhex(v::v7_data_v6).size())), v::v7_data_v6);
    EXPECT_TRUE(stick.any(200ms).empty()) << "regpoll waits for the cloud's answer first";
    EXPECT_EQ(to_hex(stick.read(11, 1s)), v::v7_ack_v6) << "regpoll's own ack after the timeout";

    // From then on regpoll acks at once, until the cloud answers again; the cloud's late ack
    // is dropped (the stick has one already).
    stick.send(v::v8_announce_v5);
    EXPECT_EQ(to_hex(stick.read(11, 200ms)), v::v8_ack_v5);
    up->send(cloud_ack(v::v7_data_v6));
    EXPECT_TRUE(stick.any(300ms).empty());
    EXPECT_EQ(count_in_log("did not answer a record within 0.4 s"), 1U);
    EXPECT_EQ(count_in_log("the cloud answers again"), 1U);
}

TEST_F(ShineRelayTest, NoCloudMeansRegpollAcksAndTheOutageIsLoggedOnce) {
    std::uint16_t closed_port = 0;
    {
        Cloud gone;  // a free port with nobody listening once this closes
        closed_port = gone.port();
    }
    start(closed_port);
    auto stick = Peer::dial(listener_->port());
    for (int i = 0; i < 3; ++i) {
        stick.send(v::v1_ping_v6);
        EXPECT_EQ(to_hex(stick.read(40)), v::v1_ping_v6);
        stick.send(v::v7_data_v6);
        EXPECT_EQ(to_hex(stick.read(11)), v::v7_ack_v6);
        std::this_thread::sleep_for(250ms);  // a few redials meanwhile
    }
    EXPECT_EQ(records(), 3U);
    EXPECT_EQ(count_in_log(": not reachable ("), 1U) << "logged once, not per attempt or record";
}

// What a cloud may send a stick: an upload-interval write, a register write, a multiple
// register write, a clock set and a setting read.
std::vector<Bytes> cloud_commands() {
    const shine::CommandTarget logger{1, 6, 1, "XGD5BF42MX"};
    return {shine::build_config_write(logger, shine::item_upload_interval, "1"),
            shine::build_register_write(logger, 3, 0),
            shine::build_registers_write(logger, 1070, {1, 2}), unhex(v::time_set_v6),
            shine::build_config_read(logger, 4, 4)};
}

// The cloud sends every command; the stick gets `expected` of them, in order, and nothing else.
void expect_stick_gets(Cloud& cloud, Peer& stick, const std::vector<std::size_t>& expected) {
    auto up = cloud.accept();
    ASSERT_TRUE(up);
    const auto commands = cloud_commands();
    for (const auto& c : commands) up->send(c);
    for (auto i : expected)
        EXPECT_EQ(stick.read(commands[i].size()), commands[i]) << "command " << i;
    EXPECT_TRUE(stick.any(300ms).empty());
}

TEST_F(ShineRelayTest, BlockDropsTheCloudsWritesButTheClockAndReads) {
    Cloud cloud;
    start(cloud.port(), shine::RelayCommands::block);
    auto stick = Peer::dial(listener_->port());
    expect_stick_gets(cloud, stick, {3, 4});
    EXPECT_EQ(count_in_log("dropped the cloud's datalogger setting write of item 4"), 1U);
    EXPECT_EQ(count_in_log("dropped the cloud's inverter register write 3 = 0"), 1U);
    EXPECT_EQ(count_in_log("dropped the cloud's inverter register write 1070-1071"), 1U);
}

TEST_F(ShineRelayTest, AllowPassesTheCloudsWrites) {
    Cloud cloud;
    start(cloud.port(), shine::RelayCommands::allow);
    auto stick = Peer::dial(listener_->port());
    expect_stick_gets(cloud, stick, {0, 1, 2, 3, 4});
    EXPECT_EQ(count_in_log("dropped"), 0U);
}

TEST_F(ShineRelayTest, CloudGoingAwayAndComingBack) {
    auto cloud = std::make_unique<Cloud>();
    const auto port = cloud->port();
    start(port);
    auto stick = Peer::dial(listener_->port());
    auto up = cloud->accept();
    ASSERT_TRUE(up);
    stick.send(v::v7_data_v6);
    EXPECT_EQ(up->read(unhex(v::v7_data_v6).size()).size(), unhex(v::v7_data_v6).size());

    // The cloud goes with the record unanswered: regpoll acks it at once, and the next ones.
    up.reset();
    cloud.reset();
    EXPECT_EQ(to_hex(stick.read(11, 300ms)), v::v7_ack_v6);
    stick.send(v::v8_announce_v5);
    EXPECT_EQ(to_hex(stick.read(11, 300ms)), v::v8_ack_v5);
    EXPECT_EQ(count_in_log("lost ("), 1U);

    // Back on the same port: the relay redials and the cloud answers again.
    cloud = std::make_unique<Cloud>(port);
    up = cloud->accept(3s);
    ASSERT_TRUE(up) << "no redial";
    stick.send(v::v7_data_v6);
    EXPECT_EQ(to_hex(up->read(unhex(v::v7_data_v6).size())), v::v7_data_v6);
    up->send(cloud_ack(v::v7_data_v6));
    EXPECT_EQ(stick.read(11), cloud_ack(v::v7_data_v6));
    EXPECT_TRUE(stick.any(600ms).empty());
    EXPECT_EQ(count_in_log("connected again"), 1U);
}

}  // namespace
}  // namespace regpoll::transport
