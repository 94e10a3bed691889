#pragma once
// The "plugins" section of a site configuration, loaded: the plugin files, the point types
// their decoders add, and one sink specification per sink entry (opened by `regpoll run`).
//
//   "plugins": [ { "path": "influxdb", "config": { "output": "udp://127.0.0.1:8089" },
//                  "queue_size": 10000, "drop": "oldest", "flush_interval": "1s" },
//                { "path": "growatt_status" } ]
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/bounded_queue.hpp"
#include "plugin/plugin_decoder.hpp"
#include "plugin/plugin_library.hpp"
#include "plugin/plugin_search.hpp"
#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"

namespace regpoll::plugin {

// One sink entry, checked; PluginSink opens it.
struct SinkSpec {
    std::shared_ptr<const PluginLibrary> library;
    std::string config_json = "{}";  // the entry's "config", compact
    std::string config_dir;          // the site configuration's folder
    std::string instance;            // "site.json: /plugins/1", for messages
    std::size_t queue_size = 10000;  // samples (and availability events) waiting at most
    Overflow overflow = Overflow::drop_oldest;
    std::chrono::milliseconds flush_interval{1000};
};

class PluginSet final : public profile::PointTypes {
  public:
    std::shared_ptr<const profile::PointDecoder> find(const std::string& name) const override;
    std::vector<std::string> names() const override;

    const std::vector<SinkSpec>& sinks() const { return sinks_; }
    // One line per plugin file, for `regpoll validate`: "plugin influxdb 1.0 (/…/influxdb.so):
    // sink".
    std::vector<std::string> summary() const;

  private:
    friend std::shared_ptr<PluginSet> load_plugins(const profile::Json&, const std::string&,
                                                   profile::Diagnostics&, const PluginSearchPath&);
    std::vector<std::shared_ptr<const PluginLibrary>> libraries_;
    std::map<std::string, std::shared_ptr<const PluginDecoder>> decoders_;
    std::vector<SinkSpec> sinks_;
};

// Checks every entry of `section` (a "plugins" list) and loads its file; every mistake goes
// to `diag` under "/plugins/<n>/…" of `file`. Returns what loaded (never null).
std::shared_ptr<PluginSet> load_plugins(const profile::Json& section, const std::string& file,
                                        profile::Diagnostics& diag,
                                        const PluginSearchPath& search = PluginSearchPath{});

}  // namespace regpoll::plugin
