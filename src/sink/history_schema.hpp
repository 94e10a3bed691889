#pragma once
// The history database schema: tables, the stable `history` view, and migrations between
// versions kept in PRAGMA user_version. The file is marked with PRAGMA application_id so a
// database that is not ours is refused rather than written into.
#include <optional>
#include <string>

#include "sink/history_sqlite.hpp"

namespace regpoll::sink {

inline constexpr int history_schema_version = 1;
inline constexpr int history_application_id = 0x72677068;  // "rgph"

// Creates the schema in an empty database or migrates an older one to
// history_schema_version, in one transaction. Throws SqliteError for I/O errors and
// HistorySchemaError for a database that is not ours or is newer than this regpoll.
void prepare_history_schema(Database& db);

// For readers: nullopt if `db` is a regpoll history this version can read, else why not.
std::optional<std::string> check_history_schema(Database& db);

class HistorySchemaError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The DDL of the current version (what the README documents).
const char* history_schema_sql();

}  // namespace regpoll::sink
