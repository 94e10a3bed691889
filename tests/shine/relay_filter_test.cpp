// What a relay lets through from the Growatt cloud, decided on real frames: the reference's
// captured clock set, reboot and reads, and register writes built by the command codec.
#include "shine/relay_filter.hpp"

#include <gtest/gtest.h>

#include "hex.hpp"
#include "shine/commands.hpp"
#include "vectors.hpp"

namespace regpoll::shine {
namespace {

using test::unhex;
namespace v = test::shine_vectors;

Frame cut(const std::vector<std::uint8_t>& bytes) {
    const auto r = cut_frame(bytes);
    EXPECT_EQ(r.status, CutResult::Status::frame);
    return r.frame;
}
Frame cut(std::string_view hex) {
    return cut(unhex(hex));
}

bool passes(const Frame& f, RelayCommands c) {
    return relay_verdict(f, c).pass;
}

TEST(ShineRelayFilter, ClockSetPassesInBothModes) {
    for (auto hex : {v::v3_config_write_v5, v::time_set_v6}) {
        EXPECT_EQ(config_write_item(cut(hex)), item_clock);
        EXPECT_TRUE(passes(cut(hex), RelayCommands::block)) << hex;
        EXPECT_TRUE(passes(cut(hex), RelayCommands::allow)) << hex;
    }
}

TEST(ShineRelayFilter, OtherSettingWritesAreBlockedUnlessAllowed) {
    const Frame reboot = cut(v::v5_reboot_v2);  // item 0x20 = "1", protocol 2
    const auto verdict = relay_verdict(reboot, RelayCommands::block);
    EXPECT_FALSE(verdict.pass);
    EXPECT_EQ(verdict.what, "datalogger setting write of item 32");
    EXPECT_TRUE(passes(reboot, RelayCommands::allow));

    // The upload interval and the server address (item 17, how the cloud re-points a stick),
    // masked protocols 5 and 6.
    const Frame interval =
        cut(build_config_write({7, 6, 1, "XGD5BF42MX"}, item_upload_interval, "1"));
    EXPECT_EQ(relay_verdict(interval, RelayCommands::block).what,
              "datalogger setting write of item 4");
    EXPECT_TRUE(passes(interval, RelayCommands::allow));
    const Frame server = cut(build_config_write({7, 5, 1, "IUB3818029"}, 17, "192.0.2.1"));
    EXPECT_FALSE(passes(server, RelayCommands::block));
}

TEST(ShineRelayFilter, InverterWritesAreBlockedUnlessAllowed) {
    const Frame one = cut(build_register_write({3, 6, 0x51, "NAC5A14278"}, 3, 50));
    auto verdict = relay_verdict(one, RelayCommands::block);
    EXPECT_FALSE(verdict.pass);
    EXPECT_EQ(verdict.what, "inverter register write 3 = 50");
    EXPECT_TRUE(passes(one, RelayCommands::allow));

    const Frame many = cut(build_registers_write({4, 5, 1, "IUB3818029"}, 1070, {1, 2}));
    verdict = relay_verdict(many, RelayCommands::block);
    EXPECT_FALSE(verdict.pass);
    EXPECT_EQ(verdict.what, "inverter register write 1070-1071");
    EXPECT_TRUE(passes(many, RelayCommands::allow));
}

TEST(ShineRelayFilter, ReadsAcksAndEchoesAlwaysPass) {
    for (auto hex :
         {v::v3_config_read_v5, v::v4_config_read_v6, v::v5_config_read_v2, v::v4_register_read_v6,
          v::v7_ack_v6, v::v8_ack_v5, v::v5_data_ack_v2, v::v1_ping_v6, v::v3_ping_v5}) {
        EXPECT_TRUE(passes(cut(hex), RelayCommands::block)) << hex;
    }
}

TEST(ShineRelayFilter, SettingWriteTooShortToNameItsItemIsBlocked) {
    // Protocol 2, serial only: no item after it.
    const Frame bare = cut(encode_frame(1, 2, 1, 0x18, unhex("41483434343630343737")));
    EXPECT_EQ(config_write_item(bare), std::nullopt);
    EXPECT_FALSE(passes(bare, RelayCommands::block));
    const Frame short_write = cut(encode_frame(1, 6, 1, 0x06, unhex("4142")));
    EXPECT_FALSE(passes(short_write, RelayCommands::block));
}

}  // namespace
}  // namespace regpoll::shine
