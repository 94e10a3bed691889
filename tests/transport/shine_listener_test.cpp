// The shine+listen:// server side against real loopback connections: several loggers at
// once, pings echoed, data acked byte for byte and handed on decoded, a corrupt record
// dropped without losing the next, unknown loggers acked or closed.
#include "transport/shine_listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <future>
#include <thread>

#include "../shine/hex.hpp"
#include "../shine/vectors.hpp"
#include "shine/commands.hpp"

namespace regpoll::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::to_hex;
using test::unhex;
namespace v = test::shine_vectors;
using Bytes = std::vector<std::uint8_t>;

struct Seen {
    std::string datalogger, inverter;
    std::uint8_t type = 0;
    std::size_t blocks = 0;
};

// The listener runs on its own io_context thread; the test's sticks use blocking sockets.
class ShineListenerTest : public ::testing::Test {
  protected:
    void start(bool drop_unknown) {
        ShineListenerOptions o;
        o.drop_unknown = drop_unknown;
        o.command_timeout = command_timeout_;
        o.known = [](const std::string& logger, const std::string&) {
            return logger == "XGD5BF42MX" || logger == "GKB4827095";
        };
        o.on_record = [this](const shine::Frame& f, const shine::DataRecord& r) {
            std::lock_guard lock(mutex_);
            seen_.push_back({r.datalogger, r.inverter, f.type, r.blocks.size()});
        };
        o.log = [this](LogLevel, const std::string& text) {
            std::lock_guard lock(mutex_);
            log_ += text + "\n";
        };
        Uri uri;
        uri.scheme = "shine+listen";
        uri.host = "127.0.0.1";
        auto l = make_shine_listener(io_, uri, std::move(o));
        ASSERT_TRUE(l) << l.error();
        listener_ = *l;
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        asio::post(io_, [this] { listener_->close(); });
        work_.reset();
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    tcp::socket stick() {
        tcp::socket s(client_io_);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), listener_->port()));
        return s;
    }
    static Bytes read(tcp::socket& s, std::size_t n) {
        Bytes out(n);
        asio::read(s, asio::buffer(out));
        return out;
    }
    std::vector<Seen> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    std::string log() {
        std::lock_guard lock(mutex_);
        return log_;
    }

    // Sends a command from the listener's thread; the future gets the answer or the error.
    std::future<ShineCommandResult> command(const std::string& logger, const std::string& inverter,
                                            ShineCommandBuilder build) {
        auto promise = std::make_shared<std::promise<ShineCommandResult>>();
        auto future = promise->get_future();
        asio::post(io_, [this, logger, inverter, build, promise] {
            listener_->command(logger, inverter, build,
                               [promise](ShineCommandResult r) { promise->set_value(std::move(r)); });
        });
        return future;
    }
    // The next whole frame a stick receives.
    static shine::Frame receive(tcp::socket& s) {
        Bytes buffer;
        for (;;) {
            auto r = shine::cut_frame(buffer);
            if (r.status == shine::CutResult::Status::frame) return r.frame;
            std::uint8_t b = 0;
            asio::read(s, asio::buffer(&b, 1));
            buffer.push_back(b);
        }
    }

    std::chrono::milliseconds command_timeout_{30000};
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
    asio::io_context client_io_;
    std::shared_ptr<ShineListener> listener_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Seen> seen_;
    std::string log_;
};

TEST_F(ShineListenerTest, TwoLoggersAtOnceAreEchoedAckedAndDecoded) {
    start(false);
    auto v6 = stick();
    auto v5 = stick();
    asio::write(v6, asio::buffer(unhex(v::v1_ping_v6)));
    asio::write(v5, asio::buffer(unhex(v::v8_announce_v5)));
    // Garbage, then the record split over two writes.
    const Bytes data = unhex(v::v7_data_v6);
    asio::write(v6, asio::buffer(unhex("ffffffff")));
    asio::write(v6, asio::buffer(data.data(), 100));
    asio::write(v6, asio::buffer(data.data() + 100, data.size() - 100));
    EXPECT_EQ(to_hex(read(v6, 40)), v::v1_ping_v6);
    EXPECT_EQ(to_hex(read(v6, 11)), v::v7_ack_v6);
    EXPECT_EQ(to_hex(read(v5, 11)), v::v8_ack_v5);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (seen().size() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto s = seen();
    ASSERT_EQ(s.size(), 2U);
    const auto& announce = s[0].type == 0x03 ? s[0] : s[1];
    const auto& live = s[0].type == 0x04 ? s[0] : s[1];
    EXPECT_EQ(announce.datalogger, "GKB4827095");
    EXPECT_EQ(announce.inverter, "DAA384311B");
    EXPECT_EQ(live.datalogger, "XGD5BF42MX");
    EXPECT_EQ(live.inverter, "WRG0BH70JU");
    EXPECT_EQ(live.blocks, 2U);
    EXPECT_NE(log().find("no Shine header"), std::string::npos) << log();
}

TEST_F(ShineListenerTest, CorruptRecordIsDroppedAndTheNextAcked) {
    start(false);
    auto s = stick();
    Bytes both = unhex(v::v7_data_v6);
    both[300] ^= 0xFF;
    const Bytes good = unhex(v::v7_data_v6);
    both.insert(both.end(), good.begin(), good.end());
    asio::write(s, asio::buffer(both));
    EXPECT_EQ(to_hex(read(s, 11)), v::v7_ack_v6);
    // Dropped as one run or, where the bad frame's last bytes and the next header look like a
    // header themselves, as two; either way the next record is acked (above).
    EXPECT_NE(log().find("CRC mismatch"), std::string::npos) << log();
}

TEST_F(ShineListenerTest, UnknownLoggerIsLoggedOnceWithItsSerialAndStillAcked) {
    start(false);
    auto s = stick();
    asio::write(s, asio::buffer(unhex(v::v2_ping_v6)));  // XGD3A1968B: no device names it
    asio::write(s, asio::buffer(unhex(v::v2_ping_v6)));
    EXPECT_EQ(to_hex(read(s, 40)), v::v2_ping_v6);
    EXPECT_EQ(to_hex(read(s, 40)), v::v2_ping_v6);
    const auto text = log();
    const auto first = text.find("\"datalogger\": \"XGD3A1968B\"");
    ASSERT_NE(first, std::string::npos) << text;
    EXPECT_EQ(text.find("\"datalogger\": \"XGD3A1968B\"", first + 1), std::string::npos) << "logged once";
}

TEST_F(ShineListenerTest, UnknownLoggerIsClosedWhenTheBusDropsThem) {
    start(true);
    auto s = stick();
    asio::write(s, asio::buffer(unhex(v::v2_ping_v6)));
    Bytes one(1);
    boost::system::error_code ec;
    asio::read(s, asio::buffer(one), ec);
    EXPECT_EQ(ec, asio::error::eof);
}

// Commands go out one at a time to the unit byte of the inverter's records, in the
// logger's protocol; an answer naming another register is not taken for the one waited for.
TEST_F(ShineListenerTest, CommandsOneAtATimeAnsweredByTypeAndRegister) {
    start(false);
    auto none = command("GKB4827095", "DAA384311B", [](const shine::CommandTarget& to) {
        return shine::build_register_read(to, 15, 15);
    });
    ASSERT_EQ(none.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto refused = none.get();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ShineCommandError::Kind::not_connected);
    EXPECT_NE(refused.error().text.find("datalogger GKB4827095 is not connected"), std::string::npos);

    auto link = stick();
    asio::write(link, asio::buffer(unhex(v::v8_announce_v5)));  // unit 0x52, protocol 5
    EXPECT_EQ(to_hex(read(link, 11)), v::v8_ack_v5);
    auto first = command("GKB4827095", "DAA384311B", [](const shine::CommandTarget& to) {
        return shine::build_register_read(to, 15, 15);
    });
    auto second = command("GKB4827095", "DAA384311B", [](const shine::CommandTarget& to) {
        return shine::build_register_write(to, 3, 50);
    });
    const shine::Frame read15 = receive(link);
    EXPECT_EQ(read15.type, 0x05);
    EXPECT_EQ(read15.unit, 0x52);
    EXPECT_EQ(read15.protocol, 5);
    EXPECT_EQ(shine::datalogger_of(read15), "GKB4827095");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(link.available(), 0U) << "the second command waits for the first's answer";

    const auto to = shine::answer_target(read15, "GKB4827095");
    asio::write(link, asio::buffer(shine::build_register_read_answer(to, 16, 16, {99})));  // not it
    EXPECT_NE(first.wait_for(std::chrono::milliseconds(200)), std::future_status::ready);
    asio::write(link, asio::buffer(shine::build_register_read_answer(to, 15, 15, {7})));
    ASSERT_EQ(first.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto answer = first.get();
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(shine::parse_register_read_answer(*answer)->values, std::vector<std::uint16_t>{7});

    const shine::Frame write3 = receive(link);
    EXPECT_EQ(write3.type, 0x06);
    link.close();  // gone before answering: the command fails, naming the logger
    ASSERT_EQ(second.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto lost = second.get();
    ASSERT_FALSE(lost);
    EXPECT_NE(lost.error().text.find("GKB4827095"), std::string::npos) << lost.error().text;
}

TEST_F(ShineListenerTest, CommandWithoutAnswerTimesOut) {
    command_timeout_ = std::chrono::milliseconds(300);
    start(false);
    auto v6 = stick();
    asio::write(v6, asio::buffer(unhex(v::v1_ping_v6)));  // logger XGD6CF42W6
    EXPECT_EQ(to_hex(read(v6, 40)), v::v1_ping_v6);
    auto pending = command("XGD6CF42W6", "", [](const shine::CommandTarget& to) {
        return shine::build_config_read(to, shine::item_clock, shine::item_clock);
    });
    EXPECT_EQ(receive(v6).unit, 0x01) << "no inverter seen: the logger's own unit";
    ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto r = pending.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ShineCommandError::Kind::timeout);
    EXPECT_NE(r.error().text.find("did not answer the settings read (0x19) of item 31 within 300ms"),
              std::string::npos)
        << r.error().text;
}

}  // namespace
}  // namespace regpoll::transport
