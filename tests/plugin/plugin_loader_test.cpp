// The loader (dlopen, dlsym, checks of the description) against the example plugins and a
// deliberately broken plugin for each error; the "plugins" section with its JSON paths and
// the search path for relative names.
#include "plugin/plugin_library.hpp"
#include "plugin/plugin_set.hpp"
#include "plugin/plugin_sink.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_support.hpp"

namespace regpoll::plugin {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using profile::Json;

std::string error_of(const std::string& path) {
    auto loaded = PluginLibrary::load(path);
    return loaded ? std::string("(loaded)") : loaded.error();
}

TEST(PluginLibrary, LoadsTheExamplePlugins) {
    auto influx = PluginLibrary::load(INFLUXDB_PLUGIN);
    ASSERT_TRUE(influx) << influx.error();
    EXPECT_EQ((*influx)->name(), "influxdb");
    EXPECT_NE((*influx)->sink(), nullptr);
    EXPECT_EQ((*influx)->description().decoder_count, 0U);
    EXPECT_EQ((*influx)->label(), std::string("plugin influxdb 1.0 (") + INFLUXDB_PLUGIN + ")");

    auto growatt = PluginLibrary::load(GROWATT_STATUS_PLUGIN);
    ASSERT_TRUE(growatt) << growatt.error();
    EXPECT_EQ((*growatt)->name(), "growatt_status");
    EXPECT_EQ((*growatt)->sink(), nullptr);
    ASSERT_EQ((*growatt)->description().decoder_count, 2U);
    EXPECT_STREQ((*growatt)->description().decoders[0].type, "growatt_fault");
    EXPECT_STREQ((*growatt)->description().decoders[1].type, "growatt_warning");
}

TEST(PluginLibrary, RefusesAWrongAbiVersion) {
    const auto path = test_plugin("wrong_abi");
    EXPECT_EQ(error_of(path),
              path +
                  " was built for plugin ABI version 99; this regpoll loads version 1 "
                  "(rebuild the plugin against this regpoll's plugins/regpoll_plugin.h)");
}

TEST(PluginLibrary, RefusesASharedObjectWithoutTheEntryPoint) {
    const auto path = test_plugin("no_entry");
    EXPECT_EQ(error_of(path),
              path + " is not a regpoll plugin: it does not export regpoll_plugin_describe()");
}

TEST(PluginLibrary, RefusesASinkWithoutAnOperation) {
    const auto path = test_plugin("missing_op");
    EXPECT_EQ(error_of(path), path + " (plugin missing_op): its sink has no \"flush\" operation");
}

TEST(PluginLibrary, RefusesFilesThatAreNotSharedObjects) {
    const auto dir = temp_dir("not-elf");
    std::string notes;
    for (int i = 0; i < 20; ++i) notes += "this is not a shared object\n";
    const auto text = write_file(dir + "/notes.so", notes);
    EXPECT_EQ(error_of(text), "cannot load plugin " + text + ": " + text + ": invalid ELF header");
    const auto empty = write_file(dir + "/empty.so", "");
    EXPECT_EQ(error_of(empty), "cannot load plugin " + empty + ": " + empty + ": file too short");
    EXPECT_EQ(error_of(dir + "/missing.so"), "cannot load plugin " + dir + "/missing.so: " + dir +
                                                 "/missing.so: cannot open shared object file: "
                                                 "No such file or directory");
}

// Every error names the configuration file and the entry's JSON path.
struct Loaded {
    std::shared_ptr<PluginSet> set;
    profile::Diagnostics diag;
};

Loaded load(const std::string& file, const std::string& section) {
    Loaded out;
    out.set = load_plugins(Json::parse(section), file, out.diag);
    return out;
}

std::string errors(const profile::Diagnostics& d) {
    std::string all;
    for (const auto& e : d.errors()) all += e + "\n";
    return all;
}

TEST(PluginSection, ErrorsNameTheFileAndTheEntry) {
    const auto dir = temp_dir("section-errors");
    const auto file = dir + "/site.json";
    const auto wrong = test_plugin("wrong_abi");
    auto r = load(file, R"([ { "path": ")" + wrong + R"(" },
                             { "path": ")" +
                            test_plugin("no_entry") + R"(" },
                             { "path": "nowhere" },
                             { "config": {} },
                             { "path": ")" +
                            std::string(GROWATT_STATUS_PLUGIN) + R"(", "config": { "x": 1 } },
                             { "path": ")" +
                            std::string(INFLUXDB_PLUGIN) + R"(", "queue_size": 0, "drop": "middle",
                               "flush_interval": "0s", "color": "red", "config": [] } ])");
    EXPECT_EQ(r.diag.errors().size(), 10U) << errors(r.diag);
    const std::string all = errors(r.diag);
    EXPECT_NE(
        all.find(file + ": /plugins/0/path: " + wrong + " was built for plugin ABI version 99"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find(file + ": /plugins/1/path: " + test_plugin("no_entry") +
                       " is not a regpoll plugin"),
              std::string::npos)
        << all;
    EXPECT_NE(
        all.find(file + ": /plugins/2/path: plugin \"nowhere\" not found (looked in " + dir + ", "),
        std::string::npos)
        << all;
    EXPECT_NE(all.find(file + ": /plugins/3: a plugin needs a \"path\""), std::string::npos) << all;
    EXPECT_NE(
        all.find(file + ": /plugins/4: plugin growatt_status 1.0 (" +
                 std::string(GROWATT_STATUS_PLUGIN) +
                 ") has no sink: config, queue_size, drop and flush_interval are for sink plugins"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find(file + ": /plugins/5/queue_size:"), std::string::npos) << all;
    EXPECT_NE(all.find(file + ": /plugins/5/drop:"), std::string::npos) << all;
    EXPECT_NE(
        all.find(file + ": /plugins/5/flush_interval: a flush interval must be longer than 0"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find(file + ": /plugins/5/color: unknown key \"color\""), std::string::npos)
        << all;
    EXPECT_NE(all.find(file + ": /plugins/5/config: expected an object"), std::string::npos) << all;
    EXPECT_TRUE(r.set->sinks().empty());
    EXPECT_TRUE(r.set->names().empty());
}

TEST(PluginSection, MustBeAList) {
    auto r = load("/etc/regpoll/site.json", R"({ "path": "influxdb" })");
    EXPECT_EQ(errors(r.diag),
              "/etc/regpoll/site.json: /plugins: expected a list of plugins, found "
              "{\"path\":\"influxdb\"}\n");
}

TEST(PluginSection, ATypeGivenByTwoPluginsIsAnError) {
    const auto dir = temp_dir("type-twice");
    const auto copy = dir + "/growatt_copy.so";
    fs::copy_file(GROWATT_STATUS_PLUGIN, copy);
    auto r =
        load(dir + "/site.json", R"([ { "path": ")" + std::string(GROWATT_STATUS_PLUGIN) + R"(" },
                                           { "path": "growatt_copy.so" } ])");
    ASSERT_EQ(r.diag.errors().size(), 2U) << errors(r.diag);
    EXPECT_EQ(
        r.diag.errors()[0],
        dir + "/site.json: /plugins/1/path: type \"growatt_fault\" of plugin growatt_status 1.0 (" +
            copy + ") is also provided by decoder plugin growatt_status 1.0 (" +
            GROWATT_STATUS_PLUGIN + ")");
}

TEST(PluginSection, SinkEntriesCarryTheirSettings) {
    const auto dir = temp_dir("sink-settings");
    auto r = load(dir + "/site.json", R"([ { "path": ")" + std::string(INFLUXDB_PLUGIN) + R"(",
                                             "config": { "output": "out.lp", "tags": { "b": "2", "a": "1" } },
                                             "queue_size": 50, "drop": "newest", "flush_interval": "250ms" },
                                           { "path": ")" +
                                          std::string(INFLUXDB_PLUGIN) + R"(" } ])");
    ASSERT_TRUE(r.diag.ok()) << errors(r.diag);
    ASSERT_EQ(r.set->sinks().size(), 2U);  // one file, two sinks
    const auto& s = r.set->sinks()[0];
    EXPECT_EQ(s.config_json, R"({"output":"out.lp","tags":{"a":"1","b":"2"}})");
    EXPECT_EQ(s.config_dir, dir);
    EXPECT_EQ(s.instance, dir + "/site.json: /plugins/0");
    EXPECT_EQ(s.queue_size, 50U);
    EXPECT_EQ(s.overflow, Overflow::drop_newest);
    EXPECT_EQ(s.flush_interval, std::chrono::milliseconds(250));
    EXPECT_EQ(r.set->sinks()[1].config_json, "{}");
    EXPECT_EQ(r.set->sinks()[1].queue_size, 10000U);
    EXPECT_EQ(r.set->sinks()[0].library, r.set->sinks()[1].library);
    ASSERT_EQ(r.set->summary().size(), 1U);
    EXPECT_EQ(r.set->summary()[0],
              std::string("plugin influxdb 1.0 (") + INFLUXDB_PLUGIN + "): 2 sinks");
}

// A relative path is looked for in the configuration's folder first, then in
// $REGPOLL_PLUGINS, the installed plugins and the build tree; ".so" may be left out.
TEST(PluginSearch, RelativePathsTryTheConfigFolderThenTheSearchPath) {
    const auto config_dir = temp_dir("search-config");
    const auto env_dir = temp_dir("search-env");
    fs::copy_file(GROWATT_STATUS_PLUGIN, env_dir + "/status.so");
    ::setenv("REGPOLL_PLUGINS", ("/nonexistent:" + env_dir).c_str(), 1);
    PluginSearchPath search;
    ::unsetenv("REGPOLL_PLUGINS");
    EXPECT_EQ(search.resolve("status", config_dir), env_dir + "/status.so");
    EXPECT_EQ(search.resolve("status.so", config_dir), env_dir + "/status.so");
    fs::copy_file(GROWATT_STATUS_PLUGIN, config_dir + "/status.so");
    EXPECT_EQ(search.resolve("status", config_dir), config_dir + "/status.so");
    fs::create_directories(config_dir + "/lib");
    fs::copy_file(GROWATT_STATUS_PLUGIN, config_dir + "/lib/status.so");
    EXPECT_EQ(search.resolve("./lib/../lib/status.so", config_dir), config_dir + "/lib/status.so");
    // The build tree's plugins come last: the examples are found by name.
    EXPECT_EQ(search.resolve("influxdb", config_dir),
              fs::path(INFLUXDB_PLUGIN).lexically_normal().string());
    EXPECT_EQ(search.resolve("missing", config_dir), std::nullopt);
    EXPECT_EQ(search.resolve(config_dir + "/missing.so", config_dir), std::nullopt);
    EXPECT_EQ(search.dirs().at(0), "/nonexistent");
    EXPECT_EQ(search.dirs().at(1), env_dir);
    EXPECT_EQ(search.searched("x", config_dir)
                  .rfind("looked in " + config_dir + ", /nonexistent, " + env_dir + ", ", 0),
              0U);
}

TEST(PluginSink, AFailingOpenNamesThePlaceThePluginAndItsMessage) {
    const auto dir = temp_dir("open-fails");
    auto r = load(dir + "/site.json", R"([ { "path": ")" + test_plugin("open_fails") +
                                          R"(", "config": { "a": 1 } } ])");
    ASSERT_TRUE(r.diag.ok()) << errors(r.diag);
    try {
        PluginSink sink(r.set->sinks().at(0));
        FAIL() << "open did not fail";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  dir + "/site.json: /plugins/0: plugin open_fails 1.0 (" +
                      test_plugin("open_fails") +
                      ") could not open: cannot reach the moon (config {\"a\":1})");
    }
}

}  // namespace
}  // namespace regpoll::plugin
