// Commands to a datalogger, byte for byte as the reference's captured and derived frames,
// and the datalogger's answers parsed.
#include "shine/commands.hpp"

#include <gtest/gtest.h>

#include "hex.hpp"
#include "vectors.hpp"

namespace regpoll::shine {
namespace {

using test::to_hex;
using test::unhex;
namespace v = test::shine_vectors;

Frame cut(std::string_view hex) {
    return cut_frame(unhex(hex)).frame;
}

TEST(ShineCommands, ConfigReadsAsCaptured) {
    EXPECT_EQ(to_hex(build_config_read({1, 5, 1, "IUB3818029"}, 0x04, 0x15)), v::v3_config_read_v5);
    EXPECT_EQ(to_hex(build_config_read({1, 6, 1, "NAC5A14278"}, 4, 4)), v::v4_config_read_v6);
    EXPECT_EQ(to_hex(build_config_read({1, 2, 1, "AH44460477"}, 0x04, 0x15)), v::v5_config_read_v2);
}

TEST(ShineCommands, ConfigWritesAsCapturedAndDerived) {
    EXPECT_EQ(
        to_hex(build_config_write({1, 5, 1, "IUB3818029"}, item_clock, "2018-10-24 18:14:12")),
        v::v3_config_write_v5);
    EXPECT_EQ(to_hex(build_config_write({1, 2, 1, "AH44460477"}, 0x20, "1")), v::v5_reboot_v2);
    EXPECT_EQ(
        to_hex(build_config_write({1, 6, 1, "XGD5BF42MX"}, item_clock, "2023-11-04 08:52:00")),
        v::time_set_v6);
}

TEST(ShineCommands, InverterRegisterReadToTheShineLinkUnit) {
    EXPECT_EQ(to_hex(build_register_read({1, 6, 0x51, "NAC5A14278"}, 15, 15)),
              v::v4_register_read_v6);
}

TEST(ShineCommands, RegisterWritesCarryAddressAndValues) {
    const Frame one = cut_frame(build_register_write({3, 6, 1, "XGD5BF42MX"}, 3, 50)).frame;
    EXPECT_EQ(one.type, 0x06);
    EXPECT_EQ(to_hex(std::vector(one.body.begin() + 30, one.body.end())), "00030032");
    const Frame many =
        cut_frame(build_registers_write({4, 5, 1, "IUB3818029"}, 1070, {1, 2})).frame;
    EXPECT_EQ(many.type, 0x10);
    EXPECT_EQ(to_hex(std::vector(many.body.begin() + 10, many.body.end())), "042e042f00010002");
}

TEST(ShineCommands, AnswersParse) {
    auto value = parse_config_answer(cut(v::v3_config_answer_v5));
    ASSERT_TRUE(value);
    EXPECT_EQ(value->item, item_clock);
    EXPECT_EQ(value->value, "2000-01-01 01:01:01");
    value = parse_config_answer(cut(v::v4_config_answer_v6));
    ASSERT_TRUE(value);
    EXPECT_EQ(value->item, item_upload_interval);
    EXPECT_EQ(value->value, "5");
    value = parse_config_answer(cut(v::v5_config_answer_v2));
    ASSERT_TRUE(value);
    EXPECT_EQ(value->value, "5");

    auto status = parse_config_write_answer(cut(v::v3_config_write_answer_v5));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->item, item_clock);
    EXPECT_EQ(status->status, 0x00);
    status = parse_config_write_answer(cut(v::v5_reboot_answer_v2));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->item, 0x20);

    EXPECT_FALSE(parse_config_answer(cut(v::v3_ping_v5)));  // wrong type
    Frame shorter = cut(v::v4_config_answer_v6);
    shorter.body.pop_back();  // the value's one byte is missing
    EXPECT_FALSE(parse_config_answer(shorter));
}

// The stick's side: the simulator answers with these, byte for byte the captured answers.
TEST(ShineCommands, StickAnswersAsCaptured) {
    EXPECT_EQ(to_hex(build_config_answer({1, 5, 1, "IUB3818029"}, item_clock, "2000-01-01 01:01:01")),
              v::v3_config_answer_v5);
    EXPECT_EQ(to_hex(build_config_answer({1, 6, 1, "NAC5A14278"}, item_upload_interval, "5")),
              v::v4_config_answer_v6);
    EXPECT_EQ(to_hex(build_config_answer({1, 2, 1, "AH44460477"}, item_upload_interval, "5")),
              v::v5_config_answer_v2);
    EXPECT_EQ(to_hex(build_config_write_answer({1, 5, 1, "IUB3818029"}, item_clock, 0x00)),
              v::v3_config_write_answer_v5);
    EXPECT_EQ(to_hex(build_config_write_answer({1, 2, 1, "AH44460477"}, 0x20, 0x00)),
              v::v5_reboot_answer_v2);
}

TEST(ShineCommands, StickParsesTheServersCommands) {
    auto c = parse_command(cut(v::v3_config_write_v5));
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->type, 0x18);
    EXPECT_EQ(c->first, item_clock);
    EXPECT_EQ(c->text, "2018-10-24 18:14:12");
    c = parse_command(cut(v::v3_config_read_v5));
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->type, 0x19);
    EXPECT_EQ(c->first, 0x04);
    EXPECT_EQ(c->last, 0x15);
    c = parse_command(cut(v::v4_register_read_v6));
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->type, 0x05);
    EXPECT_EQ(c->first, 15);
    EXPECT_EQ(c->last, 15);
    c = parse_command(cut_frame(build_register_write({3, 6, 1, "XGD5BF42MX"}, 3, 50)).frame);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->values, std::vector<std::uint16_t>{50});
    EXPECT_EQ(c->last, 3);
    c = parse_command(cut_frame(build_registers_write({4, 5, 1, "IUB3818029"}, 1070, {1, 2})).frame);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->first, 1070);
    EXPECT_EQ(c->last, 1071);
    EXPECT_EQ(c->values, (std::vector<std::uint16_t>{1, 2}));

    Frame cut_short = cut_frame(build_registers_write({4, 6, 1, "XGD5BF42MX"}, 10, {1, 2})).frame;
    cut_short.body.pop_back();  // one value byte missing
    EXPECT_FALSE(parse_command(cut_short));
    EXPECT_FALSE(parse_command(cut(v::v3_ping_v5)));
}

TEST(ShineCommands, RegisterAnswersRoundTripAndMatchTheirCommand) {
    const CommandTarget to{1, 6, 0x51, "NAC5A14278"};
    const Frame command = cut(v::v4_register_read_v6);
    const Frame read = cut_frame(build_register_read_answer(answer_target(command, "NAC5A14278"), 15, 15, {1234})).frame;
    EXPECT_EQ(read.unit, 0x51);
    EXPECT_EQ(command_subject(read), command_subject(command));
    auto r = parse_register_read_answer(read);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->first, 15);
    EXPECT_EQ(r->values, std::vector<std::uint16_t>{1234});
    r = parse_register_read_answer(cut_frame(build_register_read_answer(to, 15, 16, {})).frame);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->values.empty()) << "no values: the stick could not read them";
    Frame short_values = cut_frame(build_register_read_answer(to, 15, 16, {1, 2})).frame;
    short_values.body.pop_back();
    EXPECT_FALSE(parse_register_read_answer(short_values));

    auto w = parse_register_write_answer(cut_frame(build_register_write_answer(to, 3, 0x00, 50)).frame);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->first, 3);
    EXPECT_EQ(w->result, 0x00);
    EXPECT_EQ(w->value, 50);
    w = parse_register_write_answer(cut_frame(build_registers_write_answer(to, 10, 11, 0x01)).frame);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->last, 11);
    EXPECT_EQ(w->result, 0x01);
    EXPECT_FALSE(w->value);

    // A 0x06 answer names another register than a 0x06 command to register 3: not its answer.
    const Frame write3 = cut_frame(build_register_write(to, 3, 50)).frame;
    const Frame answer4 = cut_frame(build_register_write_answer(to, 4, 0x00, 50)).frame;
    EXPECT_NE(command_subject(write3), command_subject(answer4));
    EXPECT_FALSE(command_subject(cut(v::v3_ping_v5)));
}

}  // namespace
}  // namespace regpoll::shine
