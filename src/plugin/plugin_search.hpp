#pragma once
// Where a plugin's "path" leads. An absolute path is taken as it is. A relative one is looked
// for in the site configuration's folder, then in the plugin folders: $REGPOLL_PLUGINS
// (colon-separated), the installed plugins (<prefix>/lib/regpoll/plugins), and this build
// tree's plugins/. A name without an extension also matches "<name>.so", so "influxdb" finds
// influxdb.so.
#include <optional>
#include <string>
#include <vector>

namespace regpoll::plugin {

class PluginSearchPath {
  public:
    // Reads $REGPOLL_PLUGINS now; `extra_dirs` come after it.
    explicit PluginSearchPath(std::vector<std::string> extra_dirs = {});
    const std::vector<std::string>& dirs() const { return dirs_; }

    // The file `path` names, absolute and normalised, or nullopt when there is none.
    std::optional<std::string> resolve(const std::string& path,
                                       const std::string& config_dir) const;
    // "looked in /etc/regpoll, /opt/plugins, /usr/local/lib/regpoll/plugins" for messages.
    std::string searched(const std::string& path, const std::string& config_dir) const;

  private:
    std::vector<std::string> dirs_;
};

}  // namespace regpoll::plugin
