#include "sink/postgres_config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sink/pg_connection.hpp"

namespace regpoll::sink {
namespace {

using namespace std::chrono_literals;
using profile::Diagnostics;
using profile::Json;

std::optional<PostgresConfig> parse(const std::string& text, Diagnostics& diag) {
    return parse_postgres_config(Json::parse(text), "config/site.json", diag);
}

std::string errors(const Diagnostics& diag) {
    std::string out;
    for (const auto& e : diag.errors()) out += e + "\n";
    return out;
}

TEST(PostgresConfig, TheConnectionStringComesFromTheEnvironment) {
    ::setenv("REGPOLL_PG_TEST", "host=db dbname=regpoll", 1);
    Diagnostics diag;
    auto c = parse(R"({"conninfo_env": "REGPOLL_PG_TEST"})", diag);
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->conninfo, "host=db dbname=regpoll");
    EXPECT_EQ(c->conninfo_source, "$REGPOLL_PG_TEST");
    EXPECT_EQ(c->flush_interval, 1s);
    EXPECT_EQ(c->retention, 0ms);
    EXPECT_EQ(c->outbox_path, "config/site.pg-outbox.db");
}

TEST(PostgresConfig, OrFromAFileWithItsLineBreakRemoved) {
    const std::string file = ::testing::TempDir() + "/pg.conninfo";
    std::ofstream(file) << "postgresql://poller:secret@db/regpoll\n";
    Diagnostics diag;
    auto c = parse(R"({"conninfo_file": ")" + file +
                       R"(", "flush_interval": "250ms", "max_batch": 1000, "retention": "30d",
                       "outbox": {"path": "/var/tmp/pg.db", "max_samples": 2000}})",
                   diag);
    ASSERT_TRUE(c) << errors(diag);
    EXPECT_EQ(c->conninfo, "postgresql://poller:secret@db/regpoll");
    EXPECT_EQ(c->flush_interval, 250ms);
    EXPECT_EQ(c->max_batch, 1000u);
    EXPECT_EQ(c->retention, std::chrono::hours(24 * 30));
    EXPECT_EQ(c->outbox_path, "/var/tmp/pg.db");
    EXPECT_EQ(c->outbox_max_samples, 2000u);
}

TEST(PostgresConfig, APasswordInTheSiteFileIsRefusedWithWhereToPutIt) {
    Diagnostics diag;
    EXPECT_FALSE(parse(R"({"conninfo": "host=db password=x", "password": "x"})", diag));
    const auto e = errors(diag);
    EXPECT_NE(e.find("config/site.json: /postgres/conninfo: put the connection string"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("/postgres/password: put the connection string"), std::string::npos) << e;
    EXPECT_NE(e.find("/postgres: expected \"conninfo_file\" or \"conninfo_env\""),
              std::string::npos)
        << e;
    EXPECT_EQ(e.find("unknown"), std::string::npos) << e;  // said once, not again as unknown keys
}

TEST(PostgresConfig, MistakesNameTheirPlace) {
    ::unsetenv("REGPOLL_PG_MISSING");
    Diagnostics diag;
    EXPECT_FALSE(
        parse(R"({"conninfo_env": "REGPOLL_PG_MISSING", "retention": "2h", "flush": 1})", diag));
    const auto e = errors(diag);
    EXPECT_NE(
        e.find("/postgres/conninfo_env: the environment variable REGPOLL_PG_MISSING is not set"),
        std::string::npos)
        << e;
    EXPECT_NE(e.find("/postgres/retention: rows are dropped a day partition at a time"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("/postgres/flush"), std::string::npos) << e;
    Diagnostics both;
    ::setenv("REGPOLL_PG_TEST", "host=db", 1);
    EXPECT_FALSE(
        parse(R"({"conninfo_env": "REGPOLL_PG_TEST", "conninfo_file": "/nonexistent"})", both));
    EXPECT_NE(errors(both).find("not both"), std::string::npos) << errors(both);
}

std::string command_output(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen((command + " 2>&1").c_str(), "r")) {
        char buffer[4096];
        while (auto n = std::fread(buffer, 1, sizeof buffer, p)) out.append(buffer, n);
        EXPECT_EQ(::pclose(p), 0) << command << ": " << out;
    }
    return out;
}

std::string own_mappings() {
    std::ifstream in("/proc/self/maps");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// regpoll does not name libpq among the libraries it needs: a regpoll without PostgreSQL
// never maps it, nor GnuTLS, Kerberos and LDAP behind it (about 3 MB resident).
TEST(PostgresLibrary, RegpollDoesNotNeedLibpqToStart) {
    const auto needed = command_output(std::string("readelf -d ") + REGPOLL_BINARY);
    EXPECT_NE(needed.find("(NEEDED)"), std::string::npos) << needed;
    EXPECT_NE(needed.find("libsqlite3"), std::string::npos) << needed;
    EXPECT_EQ(needed.find("libpq"), std::string::npos) << needed;
}

TEST(PostgresLibrary, ALibpqThatCannotBeLoadedIsNamedWithItsPackage) {
    const auto missing = load_libpq("libpq-regpoll-missing.so.5");
    EXPECT_NE(missing.find("PostgreSQL: cannot load libpq-regpoll-missing.so.5"), std::string::npos)
        << missing;
    EXPECT_NE(missing.find("package libpq5"), std::string::npos) << missing;
    // A library that is not libpq: the first function it lacks is named.
    const auto wrong = load_libpq("libc.so.6");
    EXPECT_NE(wrong.find("libc.so.6 has no PQclear"), std::string::npos) << wrong;

    EXPECT_EQ(load_libpq(libpq_soname), "");
    EXPECT_NE(own_mappings().find("/libpq.so.5"), std::string::npos);
    EXPECT_EQ(load_libpq("libpq-regpoll-missing.so.5"), "");  // loaded once for the process
}

}  // namespace
}  // namespace regpoll::sink
