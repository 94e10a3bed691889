#pragma once
// One plugin file loaded with dlopen, its description checked against the ABI
// (plugins/regpoll_plugin.h). Decoders and sinks hold it by shared_ptr, so the file stays
// loaded for as long as anything of it can still be called.
#include <memory>
#include <string>

#include "common/expected.hpp"
#include "regpoll_plugin.h"

namespace regpoll::plugin {

class PluginLibrary {
  public:
    // Loads `path` (an absolute file name) and checks what regpoll_plugin_describe() returns:
    // the ABI version first, then name, kinds, sink operations and decoders. The error names
    // the file and says what is wrong; nothing of a refused plugin is kept loaded.
    static Expected<std::shared_ptr<PluginLibrary>, std::string> load(const std::string& path);

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const std::string& path() const { return path_; }
    const regpoll_plugin& description() const { return *description_; }
    std::string name() const { return description_->name; }
    const regpoll_sink_ops* sink() const { return description_->sink; }
    // "plugin influxdb 1.0 (/usr/lib/regpoll/plugins/influxdb.so)"
    std::string label() const;

  private:
    PluginLibrary(void* handle, const regpoll_plugin* description, std::string path)
        : handle_(handle), description_(description), path_(std::move(path)) {}

    void* handle_;
    const regpoll_plugin* description_;
    std::string path_;
};

}  // namespace regpoll::plugin
