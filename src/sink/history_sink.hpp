#pragma once
// The one call `regpoll run` needs: the "history" section of a site configuration in, a
// running history sink out (or the reasons why not, as configuration errors).
#include <memory>
#include <string>

#include "profile/diagnostics.hpp"
#include "profile/json_reader.hpp"
#include "sink/history_writer.hpp"

namespace regpoll::sink {

// Parses `section` (the value of the "history" key of `config_path`) and opens or creates
// the database. Mistakes, and a database that cannot be opened, created or migrated, are
// errors in `diag` under /history; the result is then null and nothing was started.
std::unique_ptr<HistoryWriter> make_history_sink(const profile::Json& section,
                                                 const std::string& config_path,
                                                 profile::Diagnostics& diag);

}  // namespace regpoll::sink
