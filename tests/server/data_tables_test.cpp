#include "server/data_tables.hpp"

#include <gtest/gtest.h>

#include "modbus/error.hpp"

namespace regpoll::server {
namespace {

using modbus::Errc;
using Regs = std::vector<std::uint16_t>;
using Bits = std::vector<bool>;

TEST(UnitTables, SetRegistersMapsWhatItCovers) {
    UnitTables t;
    t.set_registers(RegisterKind::holding, 100, Regs{1, 2, 3});
    EXPECT_TRUE(t.is_mapped(RegisterKind::holding, 100, 3));
    EXPECT_FALSE(t.is_mapped(RegisterKind::holding, 99, 1));
    EXPECT_FALSE(t.is_mapped(RegisterKind::input, 100, 1));
    EXPECT_EQ(*t.registers(RegisterKind::holding, 100, 3), (Regs{1, 2, 3}));
}

TEST(UnitTables, UnmappedAddressesAreIllegalAndWritesChangeNothing) {
    UnitTables t;
    t.set_registers(RegisterKind::holding, 0, Regs{7, 8});
    EXPECT_EQ(t.registers(RegisterKind::holding, 1, 2).error(), Errc::illegal_data_address);
    EXPECT_EQ(t.write_registers(RegisterKind::holding, 1, Regs{9, 9}), Errc::illegal_data_address);
    EXPECT_EQ(*t.registers(RegisterKind::holding, 0, 2), (Regs{7, 8}));
    EXPECT_FALSE(t.write_registers(RegisterKind::holding, 1, Regs{9}));
    EXPECT_EQ(*t.registers(RegisterKind::holding, 0, 2), (Regs{7, 9}));
}

TEST(UnitTables, KindsMustMatchTheCall) {
    UnitTables t;
    t.map_all();
    std::vector<bool> bits(1);
    std::uint16_t reg = 0;
    EXPECT_EQ(t.read_bits(RegisterKind::holding, 0, bits), Errc::invalid_request);
    EXPECT_EQ(t.read_registers(RegisterKind::coil, 0, std::span<std::uint16_t>(&reg, 1)),
              Errc::invalid_request);
}

TEST(UnitTables, SeparateTablesAreIndependent) {
    UnitTables t;
    t.map_all();
    t.set_registers(RegisterKind::holding, 0, Regs{0xFFFF});
    t.set_bits(RegisterKind::coil, 0, Bits{true});
    EXPECT_EQ(*t.registers(RegisterKind::input, 0, 1), (Regs{0}));
    EXPECT_EQ(*t.bits(RegisterKind::discrete, 0, 1), (Bits{false}));
    EXPECT_EQ(*t.bits(RegisterKind::coil, 0, 2), (Bits{true, false}));
}

TEST(UnitTables, OverlaidPacksBitsIntoRegistersLeastSignificantFirst) {
    UnitTables t(TableLayout::overlaid);
    t.set_registers(RegisterKind::holding, 0, Regs{0x0005, 0x8000});
    EXPECT_EQ(*t.bits(RegisterKind::coil, 0, 4), (Bits{true, false, true, false}));
    EXPECT_EQ(*t.bits(RegisterKind::discrete, 31, 1), (Bits{true}));
    EXPECT_EQ(*t.registers(RegisterKind::input, 0, 2), (Regs{0x0005, 0x8000}));
    EXPECT_FALSE(t.write_bits(RegisterKind::coil, 17, Bits{true}));
    EXPECT_FALSE(t.write_bits(RegisterKind::coil, 0, Bits{false}));
    EXPECT_EQ(*t.registers(RegisterKind::holding, 0, 2), (Regs{0x0004, 0x8002}));
}

TEST(UnitTables, OverlaidBitsExistWhereTheirRegistersDo) {
    UnitTables t(TableLayout::overlaid);
    t.map(RegisterKind::holding, 0, 10);
    EXPECT_TRUE(t.is_mapped(RegisterKind::coil, 0, 160));
    EXPECT_FALSE(t.is_mapped(RegisterKind::coil, 159, 2));
    EXPECT_EQ(t.mapped(RegisterKind::discrete), (std::vector<AddressRange>{{0, 160}}));
    t.map(RegisterKind::coil, 200, 1);  // maps register 12
    EXPECT_TRUE(t.is_mapped(RegisterKind::input, 12, 1));
    EXPECT_FALSE(t.is_mapped(RegisterKind::input, 11, 1));
    t.map_all();
    // registers 4096.. hold no bit addresses
    EXPECT_EQ(t.mapped(RegisterKind::coil), (std::vector<AddressRange>{{0, address_space}}));
    EXPECT_EQ(t.mapped(RegisterKind::holding), (std::vector<AddressRange>{{0, address_space}}));
}

TEST(UnitTables, RangesPastTheAddressSpaceAreNeverMapped) {
    UnitTables t;
    t.map_all();
    EXPECT_FALSE(t.is_mapped(RegisterKind::holding, 65535, 2));
    EXPECT_TRUE(t.is_mapped(RegisterKind::holding, 65535, 1));
    std::vector<std::uint16_t> two(2);
    EXPECT_EQ(t.read_registers(RegisterKind::holding, 65535, two), Errc::illegal_data_address);
    t.set_registers(RegisterKind::input, 65535, Regs{1, 2});  // the second value is cut
    EXPECT_EQ(*t.registers(RegisterKind::input, 65535, 1), (Regs{1}));
}

TEST(DataTables, UnitsHaveIndependentTablesAndADefaultIdentity) {
    DataTables d;
    d.add_unit(3).set_registers(RegisterKind::holding, 0, Regs{33});
    d.add_unit(1, TableLayout::overlaid).set_registers(RegisterKind::holding, 0, Regs{11});
    EXPECT_EQ(d.unit_ids(), (std::vector<std::uint8_t>{1, 3}));
    EXPECT_TRUE(d.serves(3));
    EXPECT_FALSE(d.serves(2));
    EXPECT_EQ(d.unit(2), nullptr);
    EXPECT_EQ(*d.unit(3)->registers(RegisterKind::holding, 0, 1), (Regs{33}));
    EXPECT_EQ(d.unit(1)->layout(), TableLayout::overlaid);
    EXPECT_EQ(*d.unit(1)->identity().object(0), "regpoll");
    EXPECT_EQ(d.unit(3)->identity().server_id()[0], 3);
    EXPECT_EQ(d.unit(3)->identity().server_id()[1], 0xFF);
}

TEST(DeviceIdentity, ConformityFollowsTheHighestCategoryWithObjects) {
    DeviceIdentity id;
    EXPECT_EQ(id.conformity(), 0x81);
    id.set_object(ObjectId::vendor_name, "v");
    EXPECT_EQ(id.conformity(), 0x81);
    id.set_object(ObjectId::model_name, "m");
    EXPECT_EQ(id.conformity(), 0x82);
    id.set_object(0x90, "x");
    EXPECT_EQ(id.conformity(), 0x83);
    id.set_object(0x90, "");  // removes it
    EXPECT_EQ(id.object(0x90), nullptr);
    EXPECT_EQ(id.conformity(), 0x82);
    id.set_object(0x80, std::string(300, 'a'));
    EXPECT_EQ(id.object(0x80)->size(), DeviceIdentity::max_object_length);
}

}  // namespace
}  // namespace regpoll::server
