#include "sink/history_sink.hpp"

namespace regpoll::sink {

std::unique_ptr<HistoryWriter> make_history_sink(const profile::Json& section,
                                                 const std::string& config_path,
                                                 profile::Diagnostics& diag) {
    auto config = parse_history_config(section, config_path, diag);
    if (!config) return nullptr;
    try {
        return std::make_unique<HistoryWriter>(std::move(*config));
    } catch (const std::exception& e) {
        diag.error(config_path, "/history", e.what());
        return nullptr;
    }
}

}  // namespace regpoll::sink
