// The simulated stick answers the server's commands over a real loopback connection: this
// test plays the server with blocking sockets while the stick runs on its own thread.
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "shine/commands.hpp"
#include "shine/record_stream.hpp"
#include "shine/settings.hpp"
#include "sim/shine_stick.hpp"

namespace regpoll::sim {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

class StickCommands : public ::testing::Test {
  protected:
    void SetUp() override {
        tables_.map(modbus::RegisterKind::holding, 0, 125);
        const std::uint16_t ten[] = {10};
        tables_.set_registers(modbus::RegisterKind::holding, 3, ten);
        tables_.map(modbus::RegisterKind::input, 3000, 125);
        acceptor_.emplace(server_io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        ShineStickSpec spec;
        spec.port = acceptor_->local_endpoint().port();
        spec.datalogger = "SIMLOG0001";
        spec.inverter = "SIMINV0001";
        spec.protocol = 6;
        spec.unit = 1;
        spec.upload_interval = std::chrono::minutes(5);
        spec.ack_timeout = std::chrono::hours(1);  // nothing is sent again while we look
        spec.redial = 100ms;
        spec.clock_skew = -2h;
        spec.input_blocks = {{3000, 125}};
        spec.holding_blocks = {{0, 125}};
        stick_.emplace(stick_io_, spec, tables_, [](SimTime) {}, [] { return SimClock::now(); },
                       LocalZone{});
        stick_->start();
        thread_ = std::thread([this] { stick_io_.run(); });
        socket_.emplace(acceptor_->accept());
    }
    void TearDown() override {
        asio::post(stick_io_, [this] { stick_->stop(); });
        thread_.join();
    }

    // The next record of `type`, skipping the stick's own (ping, announce, data).
    shine::Frame next(std::uint8_t type) {
        for (;;) {
            auto r = stream_.next();
            if (r.status == shine::CutResult::Status::frame && r.frame.type == type) return r.frame;
            if (r.status != shine::CutResult::Status::need_more) continue;
            std::array<std::uint8_t, 1024> buf{};
            const auto n = socket_->read_some(asio::buffer(buf));
            stream_.append(std::span(buf.data(), n));
        }
    }
    shine::Frame ask(const std::vector<std::uint8_t>& command) {
        asio::write(*socket_, asio::buffer(command));
        return next(command[7]);
    }
    std::string setting(std::uint16_t item) {
        auto v = shine::parse_config_answer(ask(shine::build_config_read(to_, item, item)));
        EXPECT_TRUE(v);
        return v ? v->value : "";
    }
    std::uint8_t set(std::uint16_t item, const std::string& value) {
        auto s = shine::parse_config_write_answer(ask(shine::build_config_write(to_, item, value)));
        EXPECT_TRUE(s);
        EXPECT_EQ(s ? s->item : 0, item);
        return s ? s->status : 0xFF;
    }
    std::vector<std::uint16_t> read(std::uint16_t first, std::uint16_t last) {
        auto a = shine::parse_register_read_answer(ask(shine::build_register_read(to_, first, last)));
        EXPECT_TRUE(a);
        return a ? a->values : std::vector<std::uint16_t>{};
    }
    static std::int64_t local_now() {
        return std::chrono::duration_cast<std::chrono::seconds>(SimClock::now().time_since_epoch()).count();
    }

    server::UnitTables tables_;
    asio::io_context stick_io_, server_io_;
    std::optional<tcp::acceptor> acceptor_;
    std::optional<tcp::socket> socket_;
    std::optional<ShineStick> stick_;
    std::thread thread_;
    shine::RecordStream stream_;
    shine::CommandTarget to_{1, 6, 1, "SIMLOG0001"};
};

TEST_F(StickCommands, SettingsAreReadAndWritten) {
    EXPECT_EQ(setting(shine::item_upload_interval), "5");
    auto clock = shine::parse_clock_text(setting(shine::item_clock));
    ASSERT_TRUE(clock);
    EXPECT_NEAR(static_cast<double>(shine::clock_seconds(*clock) - local_now()), -7200.0, 5.0);

    EXPECT_EQ(set(shine::item_upload_interval, "1"), 0x00);
    EXPECT_EQ(setting(shine::item_upload_interval), "1");
    EXPECT_EQ(set(shine::item_clock, shine::clock_text(shine::clock_from_seconds(local_now()))), 0x00);
    clock = shine::parse_clock_text(setting(shine::item_clock));
    ASSERT_TRUE(clock);
    EXPECT_NEAR(static_cast<double>(shine::clock_seconds(*clock) - local_now()), 0.0, 5.0);

    EXPECT_EQ(set(shine::item_upload_interval, "soon"), 0x03);
    EXPECT_EQ(set(shine::item_clock, "2023-11-04T08:52:00"), 0x03);
    EXPECT_EQ(set(57, "wifi password"), 0x03);
    EXPECT_EQ(setting(shine::item_upload_interval), "1");
}

TEST_F(StickCommands, HoldingRegisterWritesStayAndShowInTheNextAnnounce) {
    EXPECT_EQ(read(3, 3), std::vector<std::uint16_t>{10});
    auto w = shine::parse_register_write_answer(ask(shine::build_register_write(to_, 3, 50)));
    ASSERT_TRUE(w);
    EXPECT_EQ(w->result, 0x00);
    EXPECT_EQ(w->value, 50);
    EXPECT_EQ(read(3, 3), std::vector<std::uint16_t>{50});

    w = shine::parse_register_write_answer(ask(shine::build_registers_write(to_, 10, {1, 2})));
    ASSERT_TRUE(w);
    EXPECT_EQ(w->result, 0x00);
    EXPECT_EQ(read(10, 11), (std::vector<std::uint16_t>{1, 2}));

    // Outside its holding registers: read without values, write refused.
    EXPECT_TRUE(read(200, 201).empty());
    w = shine::parse_register_write_answer(ask(shine::build_register_write(to_, 200, 1)));
    ASSERT_TRUE(w);
    EXPECT_NE(w->result, 0x00);
    // Another unit than the inverter's: refused.
    w = shine::parse_register_write_answer(ask(shine::build_register_write({1, 6, 0x51, "SIMLOG0001"}, 3, 7)));
    ASSERT_TRUE(w);
    EXPECT_NE(w->result, 0x00);
    EXPECT_EQ(read(3, 3), std::vector<std::uint16_t>{50});

    // Reconnected, the stick announces its holding registers: with the written values.
    socket_->close();
    socket_.emplace(acceptor_->accept());
    stream_ = shine::RecordStream{};
    auto announce = shine::decode_data_record(next(0x03));
    ASSERT_TRUE(announce) << announce.error();
    ASSERT_FALSE(announce->blocks.empty());
    EXPECT_EQ(announce->blocks.front().values.at(3), 50);
    EXPECT_EQ(announce->blocks.front().values.at(11), 2);
}

}  // namespace
}  // namespace regpoll::sim
