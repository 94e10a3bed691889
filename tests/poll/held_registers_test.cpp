#include "poll/held_registers.hpp"

#include <gtest/gtest.h>

#include <array>

namespace regpoll::poll {
namespace {

using modbus::RegisterKind;
using Clock = HeldRegisters::Clock;
using namespace std::chrono_literals;

TEST(HeldRegisters, ARangeIsReadOnlyWhenEveryRegisterIsHeldAndFreshEnough) {
    HeldRegisters held;
    const auto t0 = Clock::now();
    const std::array<std::uint16_t, 3> first{1, 2, 3};
    const std::array<std::uint16_t, 2> later{4, 5};
    held.store(RegisterKind::holding, 10, first, t0);
    held.store(RegisterKind::holding, 13, later, t0 + 5s);
    std::array<std::uint16_t, 5> out{};
    ASSERT_TRUE(held.read(RegisterKind::holding, 10, out, t0));
    EXPECT_EQ(out, (std::array<std::uint16_t, 5>{1, 2, 3, 4, 5}));
    EXPECT_FALSE(held.read(RegisterKind::holding, 10, out, t0 + 1s));  // 10..12 are older
    std::array<std::uint16_t, 2> tail{};
    EXPECT_TRUE(held.read(RegisterKind::holding, 13, tail, t0 + 1s));
    std::array<std::uint16_t, 6> past_end{};
    EXPECT_FALSE(held.read(RegisterKind::holding, 10, past_end, t0));  // 15 was never read
    EXPECT_FALSE(held.read(RegisterKind::input, 10, tail, t0));        // another table
}

TEST(HeldRegisters, AbsorbStoresReadsAndForgetsWhatAWriteChanged) {
    HeldRegisters held;
    const auto t0 = Clock::now();
    // FC3 4+2 answered 7, 8
    held.absorb(std::array<std::uint8_t, 5>{3, 0, 4, 0, 2},
                std::array<std::uint8_t, 6>{3, 4, 0, 7, 0, 8}, t0);
    std::array<std::uint16_t, 2> out{};
    ASSERT_TRUE(held.read(RegisterKind::holding, 4, out, t0));
    EXPECT_EQ(out, (std::array<std::uint16_t, 2>{7, 8}));
    // FC6 to register 5: held no more until read again
    held.absorb(std::array<std::uint8_t, 5>{6, 0, 5, 0, 9},
                std::array<std::uint8_t, 5>{6, 0, 5, 0, 9}, t0);
    EXPECT_FALSE(held.read(RegisterKind::holding, 4, out, t0));
    std::array<std::uint16_t, 1> one{};
    EXPECT_TRUE(held.read(RegisterKind::holding, 4, one, t0));
    // FC1 0+3 answered 1,0,1 as 0/1
    held.absorb(std::array<std::uint8_t, 5>{1, 0, 0, 0, 3},
                std::array<std::uint8_t, 3>{1, 1, 0b101}, t0);
    std::array<std::uint16_t, 3> bits{};
    ASSERT_TRUE(held.read(RegisterKind::coil, 0, bits, t0));
    EXPECT_EQ(bits, (std::array<std::uint16_t, 3>{1, 0, 1}));
}

TEST(HeldRegisters, TheLastRegisterOfTheTableIsHeldToo) {
    HeldRegisters held;
    const std::array<std::uint16_t, 2> values{1, 2};
    held.store(RegisterKind::input, 0xFFFE, values, Clock::now());
    std::array<std::uint16_t, 2> out{};
    EXPECT_TRUE(held.read(RegisterKind::input, 0xFFFE, out, {}));
    held.forget(RegisterKind::input, 0xFFFF, 1);
    EXPECT_EQ(held.size(), 1U);
}

TEST(HeldRegisters, WrittenRangeOfEachWriteFunction) {
    auto fc16 = written_range(std::array<std::uint8_t, 10>{16, 0, 40, 0, 2, 4, 0, 1, 0, 2});
    ASSERT_TRUE(fc16);
    EXPECT_EQ(fc16->address, 40);
    EXPECT_EQ(fc16->count, 2);
    auto fc23 = written_range(std::array<std::uint8_t, 12>{23, 0, 0, 0, 1, 0, 7, 0, 1, 2, 0, 5});
    ASSERT_TRUE(fc23);
    EXPECT_EQ(fc23->address, 7);
    auto fc5 = written_range(std::array<std::uint8_t, 5>{5, 0, 3, 0xFF, 0});
    ASSERT_TRUE(fc5);
    EXPECT_EQ(fc5->kind, RegisterKind::coil);
    EXPECT_FALSE(written_range(std::array<std::uint8_t, 5>{3, 0, 0, 0, 1}));
    EXPECT_FALSE(written_range(std::array<std::uint8_t, 2>{16, 0}));
}

}  // namespace
}  // namespace regpoll::poll
