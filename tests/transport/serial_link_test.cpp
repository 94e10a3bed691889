// The serial link (rtu://, ascii://) on a socat pty pair, against a scripted device on the
// other end: the timing and fault cases. Assertions on time are lower bounds only (a
// silent interval was at least t3.5); nothing here fails because the machine is slow.
#include "transport/serial_link.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "modbus/error.hpp"
#include "scripted_device.hpp"
#include "socat.hpp"
#include "transport/link_factory.hpp"
#include "transport/rtu_timing.hpp"

namespace regpoll::transport {
namespace {

using namespace test;
using modbus::Errc;
using regpoll::testing::PtyPair;

class SerialLink : public ::testing::Test {
protected:
    // A link on end A of the pair; `query` is appended to the URI.
    std::shared_ptr<Link> make(const std::string& scheme, const std::string& query) {
        auto uri = parse_uri(scheme + "://" + pair_.a() + (query.empty() ? "" : "?" + query));
        EXPECT_TRUE(uri) << uri.error();
        LinkOptions options;
        options.log = [this](LogLevel level, const std::string& text) {
            log_.push_back(text);
            if (level == LogLevel::warning) warnings_.push_back(text);
        };
        auto link = make_link(io_, *uri, options);
        EXPECT_TRUE(link) << link.error();
        return *link;
    }
    std::shared_ptr<PtyDevice> device(PtyDevice::Script script,
                                      modbus::Framing framing = modbus::Framing::rtu) {
        return open_pty_device(io_, pair_.b(), framing, std::move(script));
    }
    Outcome transact(Link& link, std::uint8_t unit, modbus::Pdu request,
                     Milliseconds timeout = 2000ms) {
        Outcome o;
        link.async_transact(unit, std::move(request), timeout, capture(o));
        EXPECT_TRUE(run_until(io_, [&] { return o.done; })) << "no answer, not even a timeout";
        return o;
    }

    PtyPair pair_;
    asio::io_context io_;
    std::vector<std::string> log_, warnings_;
};

// Answers every request normally.
void answer(PtyDevice& d, const modbus::Adu& req) { d.write(d.frame(req.unit, normal_answer(req.pdu), req)); }

TEST_F(SerialLink, ReadsWithTheDefaultLineSettingsOnAPty) {
    auto dev = device(answer);
    auto link = make("rtu", "");  // 19200 8E1: parity cannot be set on a pty, and that is fine
    auto o = transact(*link, 1, read_request(7, 3));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(*modbus::parse_registers(read_request(7, 3), o.pdu), (std::vector<std::uint16_t>{7, 8, 9}));
    EXPECT_TRUE(warnings_.empty());
    EXPECT_EQ(link->stats().responses, 1U);
}

TEST_F(SerialLink, FramesSplitAtOddPlacesAreReassembled) {
    const std::vector<std::vector<std::size_t>> splits{
        {1}, {2, 3}, {4}, {6, 7}, {8}, {1, 2, 3, 4, 5, 6, 7, 8}};  // the last: byte by byte
    std::size_t n = 0;
    auto dev = device([&](PtyDevice& d, const modbus::Adu& req) {
        const Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);  // 9 bytes
        d.write_pieces(frame, splits[n++ % splits.size()], 5ms);
    });
    auto link = make("rtu", "parity=N&gap=2s");  // a loaded machine may stall the writer
    for (std::uint16_t i = 0; i < splits.size(); ++i) {
        auto o = transact(*link, 1, read_request(i, 2));
        ASSERT_FALSE(o.ec) << "split " << i << ": " << o.ec.message();
        EXPECT_EQ(modbus::parse_registers(read_request(i, 2), o.pdu)->at(1), i + 1);
    }
    EXPECT_EQ(link->stats().errors, 0U);
}

TEST_F(SerialLink, GapInsideAFrameFailsItAndTheLineResynchronises) {
    std::size_t n = 0;
    auto dev = device([&](PtyDevice& d, const modbus::Adu& req) {
        const Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);
        if (n++ == 0) {
            d.write_pieces(frame, {3}, 800ms);  // stalls 800 ms after 3 bytes
        } else {
            d.write(frame);
        }
    });
    auto link = make("rtu", "parity=N&gap=100ms");
    // The gap ends the frame: not the timeout, and not the tail (which would make it whole).
    EXPECT_EQ(transact(*link, 1, read_request(1), 5000ms).ec, Errc::malformed_frame);
    // The tail arrives while nothing is expected: discarded, counted, never parsed as the
    // start of the next answer.
    ASSERT_TRUE(run_until(io_, [&] { return link->stats().stray_frames >= 1; }));
    auto next = transact(*link, 1, read_request(2));
    ASSERT_FALSE(next.ec) << next.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(2), next.pdu)->at(0), 2);
}

TEST_F(SerialLink, LocalEchoIsDiscarded) {
    auto dev = device([](PtyDevice& d, const modbus::Adu& req) {
        // What a 2-wire RS485 adapter does: everything sent comes back first.
        Bytes wire = d.raw_requests().back();
        const Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);
        wire.insert(wire.end(), frame.begin(), frame.end());
        d.write_pieces(wire, {5, 10}, 2ms);
    });
    auto link = make("rtu", "parity=N&echo=1&gap=2s");
    auto o = transact(*link, 4, read_request(30, 2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(30, 2), o.pdu)->at(0), 30);
    EXPECT_EQ(link->stats().stray_frames, 0U);
}

TEST_F(SerialLink, EchoThatDiffersFromTheRequestIsAnError) {
    auto dev = device([](PtyDevice& d, const modbus::Adu& req) {
        Bytes echo = d.raw_requests().back();
        echo[2] ^= 0x40;  // a collision on the bus
        d.write(echo);
        d.write(d.frame(req.unit, normal_answer(req.pdu), req));
    });
    auto link = make("rtu", "parity=N&echo=1");
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, Errc::echo_mismatch);
}

TEST_F(SerialLink, BadCrcIsAnErrorAndTheNextRequestWorks) {
    std::size_t n = 0;
    auto dev = device([&](PtyDevice& d, const modbus::Adu& req) {
        Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);
        if (n++ == 0) frame[frame.size() - 2] ^= 0x01;
        d.write(frame);
    });
    auto link = make("rtu", "parity=N");
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, Errc::bad_crc);
    auto o = transact(*link, 1, read_request(5));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(5), o.pdu)->at(0), 5);
}

TEST_F(SerialLink, ResponseFromTheWrongUnitIsAnError) {
    auto dev = device([](PtyDevice& d, const modbus::Adu& req) {
        d.write(d.frame(static_cast<std::uint8_t>(req.unit + 1), normal_answer(req.pdu), req));
    });
    auto link = make("rtu", "parity=N");
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, Errc::unit_mismatch);
    EXPECT_EQ(link->stats().errors, 1U);
}

TEST_F(SerialLink, ExceptionReplyIsATypedErrorAndNeedsNoResync) {
    auto dev = device([](PtyDevice& d, const modbus::Adu& req) {
        d.write(d.frame(req.unit, modbus::Pdu{static_cast<std::uint8_t>(req.pdu[0] | 0x80), 0x02}, req));
    });
    auto link = make("rtu", "parity=N");
    auto o = transact(*link, 1, read_request(0));
    EXPECT_EQ(o.ec.message(), "exception ILLEGAL DATA ADDRESS (2)");
    EXPECT_EQ(link->stats().responses, 0U);
}

TEST_F(SerialLink, SilenceTimesOutAndCostsOnlyTheTimeout) {
    auto dev = device([](PtyDevice&, const modbus::Adu&) {});
    auto link = make("rtu", "parity=N");
    const auto sent = Clock::now();
    auto o = transact(*link, 9, read_request(0), 300ms);
    EXPECT_EQ(o.ec, Errc::timeout);
    EXPECT_GE(o.at - sent, 300ms);
    EXPECT_EQ(link->stats().timeouts, 1U);
    // The bus default (timeout=) applies to requests that come without their own.
    auto bus = make("rtu", "parity=N&timeout=200ms");
    const auto again = Clock::now();
    EXPECT_EQ(transact(*bus, 9, read_request(0), 0ms).ec, Errc::timeout);
    EXPECT_GE(Clock::now() - again, 200ms);
}

TEST_F(SerialLink, LateAnswerIsNeverMatchedToTheNextRequest) {
    std::size_t n = 0;
    auto dev = device([&](PtyDevice& d, const modbus::Adu& req) {
        const Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);
        if (n++ == 0) {
            d.write_after(400ms, frame);  // after the master gave up
        } else {
            d.write(frame);
        }
    });
    auto link = make("rtu", "parity=N");
    EXPECT_EQ(transact(*link, 1, read_request(1), 150ms).ec, Errc::timeout);
    ASSERT_TRUE(run_until(io_, [&] { return link->stats().stray_frames == 1; }));
    auto o = transact(*link, 1, read_request(2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(2), o.pdu)->at(0), 2);
}

TEST_F(SerialLink, SilentIntervalBeforeEveryRequest) {
    auto dev = device(answer);
    // 1200 baud 8N1 (10-bit characters): t3.5 = 29.2 ms, plenty to see from user space.
    auto link = make("rtu", "baud=1200&parity=N&stop=1");
    const auto t35 = rtu_timing({1200, Parity::none, 8, 1}).t35;
    for (std::uint16_t i = 0; i < 4; ++i) {
        const auto answered = dev->last_write();
        ASSERT_FALSE(transact(*link, 1, read_request(i)).ec);
        if (i > 0) {
            EXPECT_GE(dev->request_times().back() - answered, t35) << "request " << i;
        }
    }
}

TEST_F(SerialLink, PauseBetweenTransactions) {
    auto dev = device(answer);
    auto link = make("rtu", "baud=115200&parity=N&pause=150ms");
    ASSERT_FALSE(transact(*link, 1, read_request(0)).ec);
    const auto answered = dev->last_write();
    ASSERT_FALSE(transact(*link, 1, read_request(1)).ec);
    EXPECT_GE(dev->request_times().back() - answered, 150ms);
}

TEST_F(SerialLink, BroadcastWriteSucceedsEmptyAfterTheTurnaround) {
    auto dev = device([](PtyDevice&, const modbus::Adu&) {});  // nobody answers a broadcast
    auto link = make("rtu", "parity=N&turnaround=200ms");
    const auto sent = Clock::now();
    auto o = transact(*link, 0, modbus::make_write_single_register(10, 0x1234), 1000ms);
    EXPECT_FALSE(o.ec) << o.ec.message();
    EXPECT_TRUE(o.pdu.empty());
    EXPECT_GE(o.at - sent, 200ms);
    ASSERT_EQ(dev->requests(), 1U);
    EXPECT_EQ(dev->raw_requests()[0], modbus::encode_rtu(0, modbus::make_write_single_register(10, 0x1234)));
    // A read cannot be broadcast: refused without touching the line.
    EXPECT_EQ(transact(*link, 0, read_request(0)).ec, Errc::invalid_request);
    EXPECT_EQ(dev->requests(), 1U);
}

TEST_F(SerialLink, OneRequestAtATimeAndADeadUnitDoesNotBlockTheOthers) {
    auto dev = device([](PtyDevice& d, const modbus::Adu& req) {
        if (req.unit != 2) answer(d, req);
    });
    auto link = make("rtu", "parity=N");
    Outcome o[4];
    const std::uint8_t units[] = {1, 2, 3, 1};
    for (int i = 0; i < 4; ++i) {
        link->async_transact(units[i], read_request(static_cast<std::uint16_t>(i)), 300ms, capture(o[i]));
    }
    ASSERT_TRUE(run_until(io_, [&] { return o[3].done; }));
    EXPECT_FALSE(o[0].ec);
    EXPECT_EQ(o[1].ec, Errc::timeout);
    EXPECT_FALSE(o[2].ec);
    EXPECT_FALSE(o[3].ec);
    // In queue order, each after the previous one finished.
    ASSERT_EQ(dev->requests(), 4U);
    EXPECT_LT(o[0].at, dev->request_times()[1]);
    EXPECT_LT(o[1].at, dev->request_times()[2]);
}

TEST_F(SerialLink, HandlersNeverRunInsideAsyncTransactAndCloseCancelsTheQueue) {
    auto dev = device([](PtyDevice&, const modbus::Adu&) {});
    auto link = make("rtu", "parity=N");
    Outcome a, b;
    link->async_transact(1, read_request(0), 5000ms, capture(a));
    link->async_transact(1, read_request(1), 5000ms, capture(b));
    EXPECT_FALSE(a.done);
    ASSERT_TRUE(run_until(io_, [&] { return dev->requests() == 1; }));
    link->close();
    EXPECT_EQ(a.ec, Errc::cancelled);
    EXPECT_EQ(b.ec, Errc::cancelled);
    Outcome c;
    link->async_transact(1, read_request(2), 100ms, capture(c));
    EXPECT_FALSE(c.done);  // posted, even when failing at once
    ASSERT_TRUE(run_until(io_, [&] { return c.done; }));
    EXPECT_EQ(c.ec, Errc::cancelled);
}

TEST_F(SerialLink, MissingDeviceFailsFastAndBacksOff) {
    auto uri = parse_uri("rtu://" + (pair_.dir() / "nothing-here").string());
    auto link = *make_link(io_, *uri, {});
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, std::errc::no_such_file_or_directory);
    EXPECT_EQ(transact(*link, 1, read_request(0)).ec, std::errc::no_such_file_or_directory);
    EXPECT_EQ(link->stats().connects, 1U);  // the second one did not even try
}

TEST_F(SerialLink, UnpluggedLineFailsRequestsWithoutSpinning) {
    auto dev = device(answer);
    auto link = make("rtu", "parity=N");
    ASSERT_FALSE(transact(*link, 1, read_request(0)).ec);
    pair_.unplug();
    ASSERT_TRUE(run_until(io_, [&] {
        return std::any_of(log_.begin(), log_.end(), [](auto& l) { return l.find("lost") != std::string::npos; });
    }));
    EXPECT_TRUE(transact(*link, 1, read_request(0)).ec);  // the device node is gone
    EXPECT_TRUE(transact(*link, 1, read_request(0)).ec);
    EXPECT_EQ(link->stats().connects, 2U);  // the last one waits out the back-off
}

TEST_F(SerialLink, AsciiReadsSplitFramesAndRejectsABadLrc) {
    std::size_t n = 0;
    auto dev = device(
        [&](PtyDevice& d, const modbus::Adu& req) {
            Bytes frame = d.frame(req.unit, normal_answer(req.pdu), req);
            if (n++ == 1) frame[frame.size() - 4] = frame[frame.size() - 4] == '0' ? '1' : '0';
            d.write_pieces(frame, {1, 6, frame.size() - 1}, 3ms);
        },
        modbus::Framing::ascii);
    auto link = make("ascii", "parity=N");
    auto o = transact(*link, 2, read_request(40, 2));
    ASSERT_FALSE(o.ec) << o.ec.message();
    EXPECT_EQ(modbus::parse_registers(read_request(40, 2), o.pdu)->at(1), 41);
    EXPECT_EQ(transact(*link, 2, read_request(0)).ec, Errc::bad_lrc);
    EXPECT_FALSE(transact(*link, 2, read_request(0)).ec);
}

TEST_F(SerialLink, FrameDumpsShowRtuFrames) {
    auto dev = device(answer);
    auto link = make("rtu", "parity=N");
    std::vector<std::string> lines;
    link->set_trace([&](bool tx, modbus::Framing f, std::span<const std::uint8_t> adu) {
        lines.push_back((tx ? "Tx " : "Rx ") + modbus::dump_frame(f, adu));
    });
    ASSERT_FALSE(transact(*link, 1, read_request(1)).ec);
    EXPECT_EQ(lines, (std::vector<std::string>{"Tx [01] 03 00 01 00 01 [D5 CA]",
                                               "Rx [01] 03 02 00 01 [79 84]"}));
}

}  // namespace
}  // namespace regpoll::transport
