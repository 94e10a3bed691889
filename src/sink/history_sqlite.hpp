#pragma once
// A thin RAII layer over the SQLite C API for the history: a connection, prepared
// statements, and one exception type carrying SQLite's error code and message.
// A connection is used by one thread at a time.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace regpoll::sink {

class SqliteError : public std::runtime_error {
  public:
    SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }  // the primary SQLite result code (SQLITE_BUSY, ...)

  private:
    int code_;
};

class Statement {
  public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    // Parameters are 1-based, as in SQL (?1, ?2, ...).
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);  // copied by SQLite
    Statement& bind_null(int index);
    // One step: true while there is a row to read; false when done. Throws on errors.
    bool step();
    // Steps to completion, then resets and clears the bindings, ready for the next run.
    void run();
    void reset();

    bool is_null(int column) const;
    int column_type(int column) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, ...
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string_view text(int column) const;  // valid until the next step/reset

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const;
    };
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    sqlite3* db_ = nullptr;
};

class Database {
  public:
    enum class Mode { read_only, read_write_create };
    // Throws SqliteError with the path in the message when the file cannot be opened.
    Database(const std::string& path, Mode mode);
    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;

    void exec(std::string_view sql);  // one or more statements without results
    Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
    // The first column of the first row, for PRAGMAs and counts.
    std::int64_t query_int(std::string_view sql);
    std::string query_text(std::string_view sql);
    std::int64_t changes() const;
    const std::string& path() const { return path_; }
    sqlite3* handle() const { return db_.get(); }

  private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
};

// A transaction that rolls back unless committed (BEGIN IMMEDIATE: the write lock is taken
// up front, so a busy database fails at BEGIN rather than half way through).
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool open_ = true;
};

}  // namespace regpoll::sink
