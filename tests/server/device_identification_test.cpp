#include <gtest/gtest.h>

#include "bytes.hpp"
#include "modbus/pdu.hpp"
#include "server/request_handler.hpp"

namespace regpoll::server {
namespace {

using test::ascii_hex;
using test::hex;
using test::to_hex;

std::string object(std::uint8_t id, const std::string& text) {
    return to_hex({id, static_cast<std::uint8_t>(text.size())}) + " " + ascii_hex(text);
}

std::string read(const DeviceIdentity& identity, const std::string& request) {
    return to_hex(read_device_identification(identity, hex(request)));
}

DeviceIdentity basic() {
    DeviceIdentity id;
    id.set_object(ObjectId::vendor_name, "regpoll");
    id.set_object(ObjectId::product_code, "SIM");
    id.set_object(ObjectId::major_minor_revision, "1.0");
    return id;
}

TEST(DeviceIdentification, BasicStream) {
    EXPECT_EQ(read(basic(), "2B 0E 01 00"), "2B 0E 01 81 00 00 03 " + object(0, "regpoll") + " " +
                                                object(1, "SIM") + " " + object(2, "1.0"));
}

TEST(DeviceIdentification, StreamsStartAtTheRequestedObjectOrRestart) {
    DeviceIdentity id = basic();
    id.set_object(ObjectId::model_name, "M1");
    id.set_object(0x80, "X");
    const std::string all_basic =
        object(0, "regpoll") + " " + object(1, "SIM") + " " + object(2, "1.0");
    EXPECT_EQ(read(id, "2B 0E 01 01"),
              "2B 0E 01 83 00 00 02 " + object(1, "SIM") + " " + object(2, "1.0"));
    EXPECT_EQ(read(id, "2B 0E 01 05"), "2B 0E 01 83 00 00 03 " + all_basic)
        << "not in basic: restart";
    EXPECT_EQ(read(id, "2B 0E 02 00"), "2B 0E 02 83 00 00 04 " + all_basic + " " + object(5, "M1"));
    EXPECT_EQ(read(id, "2B 0E 02 05"), "2B 0E 02 83 00 00 01 " + object(5, "M1"));
    EXPECT_EQ(read(id, "2B 0E 02 04"), "2B 0E 02 83 00 00 04 " + all_basic + " " + object(5, "M1"))
        << "object 4 does not exist: restart";
    EXPECT_EQ(read(id, "2B 0E 03 80"), "2B 0E 03 83 00 00 01 " + object(0x80, "X"));
    EXPECT_EQ(read(id, "2B 0E 03 00"), "2B 0E 03 83 00 00 05 " + all_basic + " " + object(5, "M1") +
                                           " " + object(0x80, "X"));
}

TEST(DeviceIdentification, IndividualAccess) {
    DeviceIdentity id = basic();
    EXPECT_EQ(read(id, "2B 0E 04 01"), "2B 0E 04 81 00 00 01 " + object(1, "SIM"));
    EXPECT_EQ(read(id, "2B 0E 04 05"), "AB 02");
}

TEST(DeviceIdentification, BadRequests) {
    DeviceIdentity id = basic();
    EXPECT_EQ(read(id, "2B 0E 00 00"), "AB 03");
    EXPECT_EQ(read(id, "2B 0E 05 00"), "AB 03");
    EXPECT_EQ(read(id, "2B 0D 01 00"), "AB 01") << "CANopen is not spoken";
    EXPECT_EQ(read(id, "2B 0E 01"), "AB 03");
    EXPECT_EQ(read(id, "2B 0E 01 00 00"), "AB 03");
}

TEST(DeviceIdentification, LongListsAreSplitWithMoreFollows) {
    DeviceIdentity id = basic();
    for (std::uint8_t oid = 0x80; oid <= 0x85; ++oid) {
        id.set_object(oid, std::string(100, static_cast<char>('A' + (oid - 0x80))));
    }
    // The master walks the list the way the specification says, with our own parser.
    std::vector<std::uint8_t> seen;
    std::uint8_t next = 0;
    std::vector<std::size_t> per_response;
    for (int round = 0; round < 10; ++round) {
        const auto req = *modbus::make_read_device_identification(3, next);
        const auto rsp = read_device_identification(id, req);
        ASSERT_LE(rsp.size(), modbus::max_pdu_size);
        auto parsed = modbus::parse_device_identification(req, rsp);
        ASSERT_TRUE(parsed) << parsed.error().message();
        per_response.push_back(parsed->objects.size());
        for (const auto& [oid, text] : parsed->objects) {
            seen.push_back(oid);
            EXPECT_EQ(text, *id.object(oid));
        }
        if (!parsed->more_follows) break;
        next = parsed->next_object_id;
    }
    EXPECT_EQ(seen, (std::vector<std::uint8_t>{0, 1, 2, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85}));
    // 7 header + 19 basic + 2 x 102 fit; a third 102 would not
    EXPECT_EQ(per_response, (std::vector<std::size_t>{5, 2, 2}));
}

TEST(DeviceIdentification, AnObjectOfMaximumLengthFitsAlone) {
    DeviceIdentity id;
    id.set_object(0x00, std::string(DeviceIdentity::max_object_length, 'v'));
    id.set_object(0x01, std::string(DeviceIdentity::max_object_length, 'p'));
    const auto first = read_device_identification(id, hex("2B 0E 01 00"));
    EXPECT_EQ(first.size(), modbus::max_pdu_size);
    EXPECT_EQ(to_hex({first[4], first[5], first[6]}), "FF 01 01");
    const auto single = read_device_identification(id, hex("2B 0E 04 01"));
    EXPECT_EQ(single.size(), modbus::max_pdu_size);
}

}  // namespace
}  // namespace regpoll::server
