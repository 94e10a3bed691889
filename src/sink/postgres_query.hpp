#pragma once
// Reading the PostgreSQL history back (regpoll history --pg): the same selection and rows
// as the SQLite reader (history_query.hpp), so both print alike.
#include <functional>
#include <memory>
#include <string>

#include "sink/history_query.hpp"

namespace regpoll::sink {

class PgConnection;

class PgHistoryReader {
  public:
    // Connects and checks the schema; throws HistoryOpenError saying why it cannot read.
    explicit PgHistoryReader(const std::string& conninfo);
    ~PgHistoryReader();

    // As HistoryReader::read: rows ordered by time, then device and point.
    std::size_t read(const HistorySelection& selection,
                     const std::function<void(const HistoryRow&)>& on_row);

  private:
    std::unique_ptr<PgConnection> db_;
};

}  // namespace regpoll::sink
