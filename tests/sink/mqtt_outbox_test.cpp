#include "sink/mqtt_outbox.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace regpoll::sink {
namespace {

namespace fs = std::filesystem;

class OutboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("regpoll-outbox-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path() const { return (dir_ / "outbox.db").string(); }
    fs::path dir_;
};

Message msg(const std::string& topic, MessageClass cls, const std::string& payload = "x") {
    return {topic, payload, 1, cls == MessageClass::availability, cls};
}

TEST_F(OutboxTest, KeepsOrderAcrossReopening) {
    {
        Outbox o(path(), 1000);
        std::vector<Message> m{msg("a", MessageClass::plain, "1"), msg("b", MessageClass::state, std::string("\0x", 2))};
        EXPECT_EQ(o.append(m), 0U);
        EXPECT_EQ(o.size(), 2U);
    }
    Outbox o(path(), 1000);  // a restart finds them
    ASSERT_EQ(o.size(), 2U);
    auto rows = o.oldest(10);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0].message.topic, "a");
    EXPECT_EQ(rows[1].message.payload, std::string("\0x", 2));  // binary-safe
    EXPECT_EQ(rows[1].message.cls, MessageClass::state);
    EXPECT_EQ(o.oldest(10, rows[0].id).size(), 1U);
    o.remove_up_to(rows[0].id);
    EXPECT_EQ(o.size(), 1U);
    EXPECT_EQ(o.oldest(10)[0].message.topic, "b");
}

// A site whose broker is always there never needs the file: it is made when the first
// message has to wait, and what it holds is found again by the next run.
TEST_F(OutboxTest, FileIsMadeByTheFirstMessageThatWaits) {
    {
        Outbox o(path(), 1000);
        EXPECT_FALSE(fs::exists(path()));
        EXPECT_EQ(o.size(), 0U);
        EXPECT_TRUE(o.oldest(10).empty());
        o.remove_up_to(5);  // nothing to forget, no file made
        EXPECT_FALSE(fs::exists(path()));
        std::vector<Message> m{msg("a", MessageClass::plain, "1")};
        EXPECT_EQ(o.append(m), 0U);
        EXPECT_TRUE(fs::exists(path()));
        EXPECT_EQ(o.size(), 1U);
        ASSERT_EQ(o.oldest(10).size(), 1U);
    }
    Outbox o(path(), 1000);
    ASSERT_EQ(o.size(), 1U);
    EXPECT_EQ(o.oldest(10)[0].message.payload, "1");
}

TEST_F(OutboxTest, MissingDirectoryIsSaidAtStart) {
    const std::string p = (dir_ / "gone" / "outbox.db").string();
    try {
        Outbox o(p, 100);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
}

// A file that is there but is not a database is refused when the outbox is made, not later.
TEST_F(OutboxTest, ExistingFileThatIsNoDatabaseIsSaidAtStart) {
    {
        std::ofstream f(path());
        f << std::string(4096, 'x');
    }
    try {
        Outbox o(path(), 100);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
    }
}

TEST_F(OutboxTest, BoundDropsOldestPlainMessagesFirstAndCountsThem) {
    Outbox o(path(), 100);
    std::vector<Message> m;
    m.push_back(msg("avail", MessageClass::availability));
    for (int i = 0; i < 60; ++i) m.push_back(msg("plain" + std::to_string(i), MessageClass::plain));
    for (int i = 0; i < 60; ++i) m.push_back(msg("state" + std::to_string(i), MessageClass::state));
    EXPECT_EQ(o.append(m), 21U);
    EXPECT_EQ(o.size(), 100U);
    EXPECT_EQ(o.dropped_total(), 21U);
    auto rows = o.oldest(200);
    EXPECT_EQ(rows[0].message.topic, "avail");      // kept
    EXPECT_EQ(rows[1].message.topic, "plain21");    // the 21 oldest plain ones went
    EXPECT_EQ(rows.back().message.topic, "state59");
    // only state and availability left after enough plain traffic: state goes next
    std::vector<Message> more;
    for (int i = 0; i < 80; ++i) more.push_back(msg("p" + std::to_string(i), MessageClass::state));
    o.append(more);
    EXPECT_EQ(o.size(), 100U);
    EXPECT_EQ(o.oldest(1)[0].message.topic, "avail");
}

TEST_F(OutboxTest, UnopenableFileIsAClearError) {
    try {
        Outbox o("/nonexistent-dir/x/outbox.db", 100);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/outbox.db"), std::string::npos);
    }
}

}  // namespace
}  // namespace regpoll::sink
